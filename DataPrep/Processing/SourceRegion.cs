namespace MlPipelines.DataPrep.Processing;

/// <summary>A rectangle of a source image in pixel units (fractional edges allowed), the part a resize reads.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width (positive).</param>
/// <param name="Height">Height (positive).</param>
public readonly record struct SourceRegion(double X, double Y, double Width, double Height)
{
    /// <summary>The whole of an image of the given size.</summary>
    public static SourceRegion Whole(int width, int height) => new(0, 0, width, height);
}
