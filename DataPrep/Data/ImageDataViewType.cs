using MlPipelines.Data;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Data;

/// <summary>
/// The column type of decoded images (ML.NET's ImageDataViewType): values are <see cref="Image"/> objects, immutable by
/// convention. <see cref="Height"/> and <see cref="Width"/> are the size every image of the column has when a
/// transform guarantees it (a resize or crop), 0 when sizes vary; downstream transforms (pixel extraction) use it to
/// know their output size before reading data.
/// </summary>
public sealed class ImageDataViewType : StructuredDataViewType
{
    /// <summary>An image column of unknown (varying) size.</summary>
    public ImageDataViewType()
        : this(0, 0)
    {
    }

    /// <summary>An image column whose images are all <paramref name="width"/> x <paramref name="height"/> (ML.NET's argument order); 0, 0 for unknown.</summary>
    public ImageDataViewType(int height, int width)
        : base(typeof(Image))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        if ((height == 0) != (width == 0))
            throw new ArgumentException($"Give both image dimensions or neither (got height {height}, width {width}).", nameof(width));
        Height = height;
        Width = width;
    }

    /// <summary>Height of every image, 0 when unknown.</summary>
    public int Height { get; }

    /// <summary>Width of every image, 0 when unknown.</summary>
    public int Width { get; }

    /// <summary>Whether every image of the column has the size <see cref="Width"/> x <see cref="Height"/>.</summary>
    public bool IsKnownSize => Height > 0;

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is ImageDataViewType t && t.Height == Height && t.Width == Width;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DataViewType t && Equals(t);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(typeof(Image), Height, Width);

    /// <inheritdoc />
    public override string ToString() => IsKnownSize ? $"Image<{Width}x{Height}>" : "Image";
}
