using System.Buffers;
using System.Numerics;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Processing;

/// <summary>
/// Resizes 8-bit images with a separable filter: a horizontal pass into a float buffer, then a
/// vertical pass with rounding. Shrinking is antialiased (the filter support grows with the scale),
/// so downscaling by large factors does not alias. A source region lets crop-and-resize happen in one step.
/// </summary>
public static class ImageResizer
{
    /// <summary>Resizes the whole image to <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static Image Resize(Image source, int width, int height, ResamplingFilter filter = ResamplingFilter.Bilinear) =>
        Resize(source, SourceRegion.Whole(source.Width, source.Height), width, height, filter);

    /// <summary>Resizes <paramref name="region"/> of the image to <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static Image Resize(Image source, SourceRegion region, int width, int height, ResamplingFilter filter = ResamplingFilter.Bilinear) =>
        Resize(source, region, width, height, filter, reference: false);

    /// <summary>
    /// The resize; <paramref name="reference"/> runs the plain per-value loops (the twin tests compare the fast path
    /// with: both must give the same bytes).
    /// </summary>
    internal static Image Resize(Image source, SourceRegion region, int width, int height, ResamplingFilter filter, bool reference)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (!(region.Width > 0 && region.Height > 0) || !double.IsFinite(region.X) || !double.IsFinite(region.Y))
            throw new ArgumentException($"Source region {region} must have a positive size.", nameof(region));
        int c = source.Channels;
        var result = new Image(width, height, c);
        var horizontal = ResampleWeights.Create(source.Width, region.X, region.Width, width, filter);
        var vertical = ResampleWeights.Create(source.Height, region.Y, region.Height, height, filter);

        // Only the source rows some output row reads go through the horizontal pass.
        int firstRow = vertical.Start[0], lastRow = 0;
        for (int y = 0; y < height; y++)
        {
            firstRow = Math.Min(firstRow, vertical.Start[y]);
            lastRow = Math.Max(lastRow, vertical.Start[y] + vertical.Count[y]);
        }
        int rows = lastRow - firstRow;
        int rowFloats = width * c;
        float[] temp = ArrayPool<float>.Shared.Rent(rows * rowFloats);
        float[] sums = ArrayPool<float>.Shared.Rent(rowFloats);
        try
        {
            for (int r = 0; r < rows; r++)
                HorizontalPass(source.Row(firstRow + r), c, horizontal, temp.AsSpan(r * rowFloats, rowFloats), reference);
            for (int y = 0; y < height; y++)
            {
                if (reference) VerticalPassScalar(temp, rowFloats, vertical, y, firstRow, result.Row(y));
                else VerticalPass(temp, rowFloats, vertical, y, firstRow, result.Row(y), sums.AsSpan(0, rowFloats));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(sums);
            ArrayPool<float>.Shared.Return(temp);
        }
        return result;
    }

    private static void HorizontalPass(ReadOnlySpan<byte> src, int channels, ResampleWeights w, Span<float> dst, bool reference)
    {
        int taps = w.MaxTaps;
        for (int x = 0; x < w.Start.Length; x++)
        {
            int s0 = w.Start[x] * channels;
            int n = w.Count[x];
            ReadOnlySpan<float> wx = w.Weights.AsSpan(x * taps, n);
            if (channels == 3 && !reference)
            {
                // The three channel sums of the generic loop below, in the same order, side by side.
                ReadOnlySpan<byte> s = src.Slice(s0, 3 * n);
                float r = 0, g = 0, b = 0;
                for (int t = 0; t < n; t++)
                {
                    float wt = wx[t];
                    r += wt * s[3 * t];
                    g += wt * s[3 * t + 1];
                    b += wt * s[3 * t + 2];
                }
                dst[3 * x] = r;
                dst[3 * x + 1] = g;
                dst[3 * x + 2] = b;
                continue;
            }
            for (int ch = 0; ch < channels; ch++)
            {
                float sum = 0;
                for (int t = 0; t < n; t++) sum += wx[t] * src[s0 + t * channels + ch];
                dst[x * channels + ch] = sum;
            }
        }
    }

    /// <summary>
    /// One output row: the weighted sum of the source rows, accumulated row by row into <paramref name="sums"/> (per
    /// value the same additions, in the same order, as a per-value loop over the taps; multiply and add stay separate
    /// roundings, never fused), then rounded to bytes.
    /// </summary>
    private static void VerticalPass(float[] temp, int rowFloats, ResampleWeights w, int y, int firstRow, Span<byte> dst, Span<float> sums)
    {
        int taps = w.MaxTaps;
        int n = w.Count[y];
        int r0 = w.Start[y] - firstRow;
        ReadOnlySpan<float> wy = w.Weights.AsSpan(y * taps, n);
        sums.Clear();
        int width = Vector<float>.Count, vectorEnd = rowFloats - rowFloats % width;
        for (int t = 0; t < n; t++)
        {
            float wt = wy[t];
            var wv = new Vector<float>(wt);
            ReadOnlySpan<float> row = temp.AsSpan((r0 + t) * rowFloats, rowFloats);
            int i = 0;
            for (; i < vectorEnd; i += width)
            {
                var product = Vector.Multiply(wv, new Vector<float>(row.Slice(i, width)));
                Vector.Add(new Vector<float>(sums.Slice(i, width)), product).CopyTo(sums.Slice(i, width));
            }
            for (; i < rowFloats; i++) sums[i] += wt * row[i];
        }
        for (int i = 0; i < rowFloats; i++) dst[i] = (byte)Math.Clamp((int)MathF.Round(sums[i]), 0, 255);
    }

    private static void VerticalPassScalar(float[] temp, int rowFloats, ResampleWeights w, int y, int firstRow, Span<byte> dst)
    {
        int taps = w.MaxTaps;
        int n = w.Count[y];
        int r0 = w.Start[y] - firstRow;
        ReadOnlySpan<float> wy = w.Weights.AsSpan(y * taps, n);
        for (int i = 0; i < rowFloats; i++)
        {
            float sum = 0;
            for (int t = 0; t < n; t++) sum += wy[t] * temp[(r0 + t) * rowFloats + i];
            dst[i] = (byte)Math.Clamp((int)MathF.Round(sum), 0, 255);
        }
    }
}
