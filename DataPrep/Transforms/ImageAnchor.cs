namespace MlPipelines.DataPrep.Transforms;

/// <summary>Where the kept (IsoCrop) or placed (IsoPad) part of a resized image sits (ML.NET's ImageResizingEstimator.Anchor).</summary>
public enum ImageAnchor
{
    /// <summary>Centred on both axes.</summary>
    Center,

    /// <summary>Against the left edge, centred vertically.</summary>
    Left,

    /// <summary>Against the right edge, centred vertically.</summary>
    Right,

    /// <summary>Against the top edge, centred horizontally.</summary>
    Top,

    /// <summary>Against the bottom edge, centred horizontally.</summary>
    Bottom,
}
