namespace MlPipelines.Evaluation.Reports;

/// <summary>
/// A small 8-bit picture for a report (a thumbnail): <see cref="Channels"/> 1 (gray) or 3 (RGB), pixels row-major and
/// interleaved, <see cref="Width"/> x <see cref="Height"/> x <see cref="Channels"/> bytes. The array is not copied.
/// </summary>
public sealed class ReportImage
{
    /// <summary>Wraps <paramref name="pixels"/>.</summary>
    public ReportImage(int width, int height, int channels, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "A report image is gray (1 channel) or RGB (3 channels).");
        if ((long)width * height * channels != pixels.Length)
            throw new ArgumentException($"A {width}x{height}x{channels} image needs {(long)width * height * channels} bytes, got {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>1 for gray, 3 for RGB.</summary>
    public int Channels { get; }

    /// <summary>The pixels, [Height, Width, Channels].</summary>
    public byte[] Pixels { get; }
}
