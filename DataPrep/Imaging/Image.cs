namespace MlPipelines.DataPrep.Imaging;

/// <summary>
/// A decoded 8-bit image: <see cref="Height"/> rows of <see cref="Width"/> pixels, each of
/// <see cref="Channels"/> bytes (1 = gray, 3 = RGB, 4 = RGBA), stored row-major HWC with no padding.
/// </summary>
public sealed class Image : IEquatable<Image>
{
    /// <summary>Creates a black (all-zero) image.</summary>
    public Image(int width, int height, int channels)
        : this(width, height, channels, new byte[CheckedSize(width, height, channels)])
    {
    }

    /// <summary>Wraps <paramref name="pixels"/> (not copied), which must hold exactly width x height x channels bytes.</summary>
    public Image(int width, int height, int channels, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        long size = CheckedSize(width, height, channels);
        if (pixels.Length != size)
            throw new ArgumentException($"Expected {size} pixel bytes for {width}x{height}x{channels}, got {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Bytes per pixel: 1 (gray), 3 (RGB) or 4 (RGBA).</summary>
    public int Channels { get; }

    /// <summary>Pixel bytes, row-major HWC.</summary>
    public byte[] Pixels { get; }

    /// <summary>Bytes per row.</summary>
    public int Stride => Width * Channels;

    /// <summary>The bytes of row <paramref name="y"/>.</summary>
    public Span<byte> Row(int y) => Pixels.AsSpan(y * Stride, Stride);

    /// <summary>A deep copy.</summary>
    public Image Clone() => new(Width, Height, Channels, (byte[])Pixels.Clone());

    /// <summary>Whether <paramref name="other"/> has the same size, channel count and pixel bytes.</summary>
    public bool Equals(Image? other) =>
        other is not null && (ReferenceEquals(this, other)
            || (other.Width == Width && other.Height == Height && other.Channels == Channels && other.Pixels.AsSpan().SequenceEqual(Pixels)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Image other && Equals(other);

    /// <summary>A hash of the size and pixel bytes (consistent with <see cref="Equals(Image)"/>; pixels must not change while hashed).</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Width);
        hash.Add(Height);
        hash.Add(Channels);
        hash.AddBytes(Pixels);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => $"Image {Width}x{Height}x{Channels}";

    private static int CheckedSize(int width, int height, int channels)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Image dimensions must be positive, got {width}x{height}.");
        if (channels is not (1 or 3 or 4))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1, 3 or 4.");
        long size = (long)width * height * channels;
        if (size > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), $"An image of {width}x{height}x{channels} is too large.");
        return (int)size;
    }
}
