namespace MlPipelines.DataPrep.Codecs.Png;

/// <summary>How the PNG encoder chooses each scanline's filter.</summary>
public enum PngFilterStrategy
{
    /// <summary>Per row, the filter whose output has the smallest sum of absolute signed bytes (the specification's heuristic).</summary>
    Adaptive,

    /// <summary>No filtering.</summary>
    None,

    /// <summary>Difference from the pixel to the left.</summary>
    Sub,

    /// <summary>Difference from the pixel above.</summary>
    Up,

    /// <summary>Difference from the mean of left and above.</summary>
    Average,

    /// <summary>Difference from the Paeth predictor.</summary>
    Paeth,
}
