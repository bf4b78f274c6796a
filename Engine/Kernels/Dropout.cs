using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Kernels;

/// <summary>Inverted dropout: kept values are scaled by 1 / (1 - p) in training so inference needs no change.</summary>
internal static class Dropout
{
    /// <summary>Draws the mask (0 or 1 / (1 - p) per value) and writes y = x mask.</summary>
    /// <param name="x">// [any]</param>
    /// <param name="p">Drop probability in [0, 1).</param>
    /// <param name="random">The step's random stream.</param>
    /// <param name="y">// [same]</param>
    /// <param name="mask">// [same] kept for backward</param>
    public static void Forward(ReadOnlySpan<float> x, float p, SeededRandom random, Span<float> y, Span<float> mask)
    {
        if (p is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must lie in [0, 1).");
        float keep = 1f / (1 - p);
        for (int i = 0; i < mask.Length; i++) mask[i] = random.NextFloat() < p ? 0f : keep;
        Elementwise.Map(new MultiplyOp(), x, mask, y, accumulate: false);
    }

    /// <summary>dX += dY mask.</summary>
    public static void Backward(ReadOnlySpan<float> dY, ReadOnlySpan<float> mask, Span<float> dX) =>
        Elementwise.Map(new MultiplyOp(), dY, mask, dX, accumulate: true);
}
