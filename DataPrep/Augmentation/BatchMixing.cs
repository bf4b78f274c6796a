using System.Buffers;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// Batch-level augmentations that mix examples and their targets: MixUp (Zhang et al. 2018) blends whole
/// images; CutMix (Yun et al. 2019) pastes a rectangle of another image. Both act on a batch of images
/// [N, C, H, W] and soft targets [N, K] in place, so the trainer must train on soft labels.
/// </summary>
public static class BatchMixing
{
    /// <summary>MixUp's draw: lambda ~ Beta(alpha, alpha) and a random pairing.</summary>
    public static BatchMixParameters SampleMixUp(ref AugmentationRandom random, int batchSize, double alpha = 0.2)
    {
        if (!(alpha > 0)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Alpha must be positive.");
        double lambda = random.NextBeta(alpha, alpha);
        return new BatchMixParameters(lambda, Permutation(ref random, batchSize), 0, 0, 0, 0);
    }

    /// <summary>CutMix's draw: lambda ~ Beta(alpha, alpha) sets the box area (1 - lambda); lambda is then corrected to the clipped box.</summary>
    public static BatchMixParameters SampleCutMix(ref AugmentationRandom random, int batchSize, int width, int height, double alpha = 1.0)
    {
        if (!(alpha > 0)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Alpha must be positive.");
        double lambda = random.NextBeta(alpha, alpha);
        double cut = Math.Sqrt(1 - lambda);
        int cw = (int)(width * cut), ch = (int)(height * cut);
        int cx = random.NextInt(width), cy = random.NextInt(height);
        int x0 = Math.Clamp(cx - cw / 2, 0, width), x1 = Math.Clamp(cx + cw / 2, 0, width);
        int y0 = Math.Clamp(cy - ch / 2, 0, height), y1 = Math.Clamp(cy + ch / 2, 0, height);
        double kept = 1 - (double)(x1 - x0) * (y1 - y0) / ((double)width * height);
        return new BatchMixParameters(kept, Permutation(ref random, batchSize), x0, y0, x1 - x0, y1 - y0);
    }

    /// <summary>Blends images and targets: x_i = l x_i + (1 - l) x_Partner[i], likewise for targets.</summary>
    /// <param name="images">[N, C, H, W] batch, changed in place.</param>
    /// <param name="targets">[N, K] soft targets, changed in place.</param>
    /// <param name="parameters">The draw from <see cref="SampleMixUp"/>.</param>
    public static void ApplyMixUp(Span<float> images, Span<float> targets, BatchMixParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        float l = (float)parameters.Lambda;
        Mix(images, parameters.Partner, (own, other) => l * own + (1 - l) * other, (_, _) => true);
        Mix(targets, parameters.Partner, (own, other) => l * own + (1 - l) * other, (_, _) => true);
    }

    /// <summary>Pastes each partner's box into each image and mixes targets by the pasted area.</summary>
    /// <param name="images">[N, C, H, W] batch, changed in place.</param>
    /// <param name="targets">[N, K] soft targets, changed in place.</param>
    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="parameters">The draw from <see cref="SampleCutMix"/>.</param>
    public static void ApplyCutMix(Span<float> images, Span<float> targets, int channels, int height, int width, BatchMixParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        int n = parameters.Partner.Count;
        if (images.Length != n * channels * height * width)
            throw new ArgumentException($"Images hold {images.Length} floats; {n}x{channels}x{height}x{width} expected.", nameof(images));
        var p = parameters;
        Mix(images, p.Partner, (_, other) => other,
            (offset, _) =>
            {
                int pixel = offset % (height * width);
                int y = pixel / width, x = pixel % width;
                return x >= p.BoxX && x < p.BoxX + p.BoxWidth && y >= p.BoxY && y < p.BoxY + p.BoxHeight;
            });
        float l = (float)p.Lambda;
        Mix(targets, p.Partner, (own, other) => l * own + (1 - l) * other, (_, _) => true);
    }

    private static int[] Permutation(ref AugmentationRandom random, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var perm = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        return perm;
    }

    /// <summary>Row-wise mixing of a [N, D] buffer against a copy of itself; <paramref name="where"/> gets (offset in row, row).</summary>
    private static void Mix(Span<float> data, IReadOnlyList<int> partner, Func<float, float, float> combine, Func<int, int, bool> where)
    {
        int n = partner.Count;
        if (n == 0 || data.Length % n != 0)
            throw new ArgumentException($"A buffer of {data.Length} floats does not split into {n} rows.", nameof(data));
        int d = data.Length / n;
        float[] copy = ArrayPool<float>.Shared.Rent(data.Length);
        try
        {
            data.CopyTo(copy);
            for (int i = 0; i < n; i++)
            {
                int j = partner[i];
                Span<float> row = data.Slice(i * d, d);
                ReadOnlySpan<float> other = copy.AsSpan(j * d, d);
                for (int k = 0; k < d; k++)
                    if (where(k, i)) row[k] = combine(row[k], other[k]);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(copy);
        }
    }
}
