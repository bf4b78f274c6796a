namespace MlPipelines.DataPrep.Data;

/// <summary>
/// Gives an <see cref="Imaging.Image"/> member of a user's class a known size (ML.NET's ImageTypeAttribute):
/// its column gets <see cref="ImageDataViewType"/>(height, width) instead of an unknown size.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ImageTypeAttribute : Attribute
{
    /// <summary>Images of <paramref name="width"/> x <paramref name="height"/> (ML.NET's argument order: height first).</summary>
    public ImageTypeAttribute(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Height = height;
        Width = width;
    }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }
}
