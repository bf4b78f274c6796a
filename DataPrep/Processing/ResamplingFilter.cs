namespace MlPipelines.DataPrep.Processing;

/// <summary>How pixels are interpolated when an image is resized.</summary>
public enum ResamplingFilter
{
    /// <summary>The nearest source pixel (no smoothing).</summary>
    Nearest,

    /// <summary>Triangle filter; antialiased when shrinking (the support widens with the scale, as Pillow does).</summary>
    Bilinear,

    /// <summary>Keys cubic (a = -0.5); antialiased when shrinking.</summary>
    Bicubic,

    /// <summary>Box filter over the covered source area: the mean of the pixels each output pixel covers.</summary>
    Area,
}
