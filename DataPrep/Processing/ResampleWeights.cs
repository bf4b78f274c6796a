namespace MlPipelines.DataPrep.Processing;

/// <summary>
/// Precomputed 1-D resampling weights: for each output index, the first source index and the
/// normalised weights of the source samples that contribute to it.
/// </summary>
internal sealed class ResampleWeights
{
    private ResampleWeights(int[] start, int[] count, float[] weights, int maxTaps)
    {
        Start = start;
        Count = count;
        Weights = weights;
        MaxTaps = maxTaps;
    }

    /// <summary>First contributing source index of each output index.</summary>
    public int[] Start { get; }

    /// <summary>Number of contributing source samples of each output index.</summary>
    public int[] Count { get; }

    /// <summary>Weights, <see cref="MaxTaps"/> per output index (unused taps are zero).</summary>
    public float[] Weights { get; }

    /// <summary>Largest number of taps of any output index.</summary>
    public int MaxTaps { get; }

    /// <summary>
    /// Weights mapping the source interval [srcOffset, srcOffset + srcLength) of a line of <paramref name="srcSize"/>
    /// samples onto <paramref name="dstSize"/> samples (pixel centres aligned, as Pillow and OpenCV's INTER_AREA do).
    /// </summary>
    public static ResampleWeights Create(int srcSize, double srcOffset, double srcLength, int dstSize, ResamplingFilter filter)
    {
        double scale = srcLength / dstSize;
        (double support, Func<double, double> kernel) = filter switch
        {
            ResamplingFilter.Nearest => (0.5, (Func<double, double>)Box),
            ResamplingFilter.Area => (0.5, Box),
            ResamplingFilter.Bilinear => (1.0, Triangle),
            ResamplingFilter.Bicubic => (2.0, Cubic),
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown filter."),
        };
        // Shrinking widens the kernel so every source pixel contributes (antialiasing); Nearest never widens.
        double filterScale = filter == ResamplingFilter.Nearest ? 1.0 : Math.Max(scale, 1.0);
        double radius = support * filterScale;
        int maxTaps = filter == ResamplingFilter.Nearest ? 1 : (int)Math.Ceiling(radius) * 2 + 1;

        var start = new int[dstSize];
        var count = new int[dstSize];
        var weights = new float[dstSize * maxTaps];
        Span<double> w = stackalloc double[maxTaps];
        for (int i = 0; i < dstSize; i++)
        {
            double center = srcOffset + (i + 0.5) * scale;
            if (filter == ResamplingFilter.Nearest)
            {
                start[i] = Math.Clamp((int)Math.Floor(center), 0, srcSize - 1);
                count[i] = 1;
                weights[i * maxTaps] = 1f;
                continue;
            }
            int lo = Math.Max(0, (int)Math.Floor(center - radius + 0.5));
            int hi = Math.Min(srcSize, (int)Math.Floor(center + radius + 0.5));
            int n = Math.Min(hi - lo, maxTaps);
            double sum = 0;
            for (int t = 0; t < n; t++)
            {
                w[t] = kernel((lo + t + 0.5 - center) / filterScale);
                sum += w[t];
            }
            if (sum == 0 || n <= 0)
            {
                // Degenerate interval (can happen only at the very edge): take the nearest sample.
                lo = Math.Clamp((int)Math.Floor(center), 0, srcSize - 1);
                n = 1;
                w[0] = sum = 1;
            }
            start[i] = lo;
            count[i] = n;
            for (int t = 0; t < n; t++) weights[i * maxTaps + t] = (float)(w[t] / sum);
        }
        return new ResampleWeights(start, count, weights, maxTaps);
    }

    private static double Box(double x) => x >= -0.5 && x < 0.5 ? 1.0 : 0.0;

    private static double Triangle(double x)
    {
        x = Math.Abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    private static double Cubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
        if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
        return 0.0;
    }
}
