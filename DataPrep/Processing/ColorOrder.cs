namespace MlPipelines.DataPrep.Processing;

/// <summary>Order of the colour planes in extracted pixels.</summary>
public enum ColorOrder
{
    /// <summary>Red, green, blue (PyTorch / torchvision convention).</summary>
    Rgb,

    /// <summary>Blue, green, red (OpenCV / Caffe convention).</summary>
    Bgr,
}
