namespace MlPipelines.DataPrep.Transforms;

/// <summary>How an image is fitted to the target size (ML.NET's ImageResizingEstimator.ResizingKind).</summary>
public enum ImageResizeMode
{
    /// <summary>Keeps the aspect ratio: scales so the image fits inside the target and pads the rest with black.</summary>
    IsoPad,

    /// <summary>Keeps the aspect ratio: scales so the image covers the target and crops what overflows (ML.NET's default).</summary>
    IsoCrop,

    /// <summary>Stretches the image to the target size.</summary>
    Fill,
}
