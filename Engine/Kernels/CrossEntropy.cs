namespace MlPipelines.Engine.Kernels;

/// <summary>
/// Cross-entropy from logits with PyTorch 1.13's semantics: hard class targets (with label smoothing, class
/// weights and an ignored index) or soft targets (probabilities, for MixUp and CutMix). Returns the mean loss
/// and writes the gradient of that mean with respect to the logits.
/// </summary>
internal static class CrossEntropy
{
    /// <summary>Mean loss over rows with integer targets.</summary>
    /// <param name="logits">// [N, C]</param>
    /// <param name="targets">// [N] class indices</param>
    /// <param name="classWeights">// [C] or empty: the weighted mean divides by the sum of the targets' weights</param>
    /// <param name="n">N.</param>
    /// <param name="c">C.</param>
    /// <param name="labelSmoothing">Share of the target mass spread uniformly over the classes.</param>
    /// <param name="ignoreIndex">Rows with this target contribute nothing.</param>
    /// <param name="dLogits">// [N, C] overwritten with d(mean loss)/d(logits), or empty to skip</param>
    public static double Forward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, ReadOnlySpan<float> classWeights, int n, int c,
        float labelSmoothing, int ignoreIndex, Span<float> dLogits)
    {
        Validate(logits.Length, n, c, labelSmoothing);
        if (targets.Length != n) throw new ArgumentException($"Expected {n} targets, got {targets.Length}.", nameof(targets));
        double norm = 0;
        for (int i = 0; i < n; i++)
        {
            int t = targets[i];
            if (t == ignoreIndex) continue;
            if ((uint)t >= (uint)c) throw new ArgumentOutOfRangeException(nameof(targets), t, $"Target {t} of row {i} is outside 0..{c - 1}.");
            norm += classWeights.Length != 0 ? classWeights[t] : 1;
        }
        Span<double> q = c <= 1024 ? stackalloc double[c] : new double[c];
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            int t = targets[i];
            Span<float> dRow = dLogits.Length != 0 ? dLogits.Slice(i * c, c) : default;
            if (t == ignoreIndex || norm == 0)
            {
                if (dLogits.Length != 0) dRow.Clear();
                continue;
            }
            // Row target distribution (already weighted): (1 - e) w_t onehot + e / C w_c.
            for (int k = 0; k < c; k++) q[k] = labelSmoothing / c * (classWeights.Length != 0 ? classWeights[k] : 1);
            q[t] += (1 - labelSmoothing) * (classWeights.Length != 0 ? classWeights[t] : 1);
            loss += Row(logits.Slice(i * c, c), q, 1 / norm, dRow);
        }
        return norm == 0 ? double.NaN : loss / norm;
    }

    /// <summary>Mean loss over rows with soft targets (each row a probability vector).</summary>
    /// <param name="logits">// [N, C]</param>
    /// <param name="targets">// [N, C]</param>
    /// <param name="classWeights">// [C] or empty</param>
    /// <param name="n">N.</param>
    /// <param name="c">C.</param>
    /// <param name="labelSmoothing">Mixes each target row with the uniform distribution.</param>
    /// <param name="dLogits">// [N, C] overwritten, or empty</param>
    public static double Forward(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> classWeights, int n, int c,
        float labelSmoothing, Span<float> dLogits)
    {
        Validate(logits.Length, n, c, labelSmoothing);
        if (targets.Length != n * c) throw new ArgumentException($"Expected {n}x{c} soft targets, got {targets.Length}.", nameof(targets));
        Span<double> q = c <= 1024 ? stackalloc double[c] : new double[c];
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < c; k++)
                q[k] = ((1 - labelSmoothing) * targets[i * c + k] + labelSmoothing / c) * (classWeights.Length != 0 ? classWeights[k] : 1);
            loss += Row(logits.Slice(i * c, c), q, 1.0 / n, dLogits.Length != 0 ? dLogits.Slice(i * c, c) : default);
        }
        return loss / n;
    }

    /// <summary>-sum q log softmax(z); writes scale (p sum q - q) into dRow when it is not empty.</summary>
    private static double Row(ReadOnlySpan<float> z, ReadOnlySpan<double> q, double scale, Span<float> dRow)
    {
        float max = float.NegativeInfinity;
        foreach (float v in z) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in z) sum += Math.Exp(v - max);
        double lse = max + Math.Log(sum);
        double loss = 0, mass = 0;
        for (int k = 0; k < z.Length; k++)
        {
            if (q[k] != 0) loss -= q[k] * (z[k] - lse);
            mass += q[k];
        }
        if (!dRow.IsEmpty)
            for (int k = 0; k < z.Length; k++) dRow[k] = (float)(scale * (Math.Exp(z[k] - lse) * mass - q[k]));
        return loss;
    }

    private static void Validate(int length, int n, int c, float smoothing)
    {
        if (n < 0 || c < 1 || length != n * c) throw new ArgumentException($"Logits hold {length} values; expected {n}x{c}.");
        if (smoothing is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "Label smoothing must lie in [0, 1].");
    }
}
