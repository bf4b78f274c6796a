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

    /// <summary>
    /// A picture from planar float pixels [<paramref name="channels"/>, <paramref name="height"/>, <paramref name="width"/>]
    /// (as pixel extraction produces), scaled from their minimum (0) to their maximum (255) so that normalised inputs
    /// stay visible; constant or non-finite values give mid-gray.
    /// </summary>
    public static ReportImage FromPlanes(ReadOnlySpan<float> values, int channels, int height, int width)
    {
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "A report image is gray (1 channel) or RGB (3 channels).");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        int plane = height * width;
        if (values.Length != channels * plane)
            throw new ArgumentException($"[{channels}, {height}, {width}] needs {channels * plane} values, got {values.Length}.", nameof(values));
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (!float.IsFinite(v)) continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        float range = max - min;
        var pixels = new byte[values.Length];
        for (int c = 0; c < channels; c++)
        {
            for (int p = 0; p < plane; p++)
            {
                float v = values[c * plane + p];
                pixels[p * channels + c] = !float.IsFinite(v) || !(range > 0) ? (byte)128 : (byte)Math.Round((v - min) / range * 255f);
            }
        }
        return new ReportImage(width, height, channels, pixels);
    }

    /// <summary>
    /// This picture shrunk by a whole factor (box average) so that neither side exceeds <paramref name="maxSide"/>;
    /// itself when it already fits.
    /// </summary>
    public ReportImage Downscale(int maxSide)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSide);
        int factor = (Math.Max(Width, Height) + maxSide - 1) / maxSide;
        if (factor <= 1) return this;
        int w = (Width + factor - 1) / factor, h = (Height + factor - 1) / factor;
        var pixels = new byte[w * h * Channels];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int y1 = Math.Min(Height, (y + 1) * factor), x1 = Math.Min(Width, (x + 1) * factor);
                for (int c = 0; c < Channels; c++)
                {
                    int sum = 0, count = 0;
                    for (int yy = y * factor; yy < y1; yy++)
                        for (int xx = x * factor; xx < x1; xx++, count++) sum += Pixels[(yy * Width + xx) * Channels + c];
                    pixels[(y * w + x) * Channels + c] = (byte)((sum + count / 2) / count);
                }
            }
        }
        return new ReportImage(w, h, Channels, pixels);
    }
}
