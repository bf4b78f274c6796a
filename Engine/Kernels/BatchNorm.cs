using System.Numerics.Tensors;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// Batch normalisation over the N, H, W axes of NCHW tensors (PyTorch's BatchNorm2d): statistics in double,
/// running statistics updated with momentum and the unbiased variance.
/// </summary>
internal static class BatchNorm
{
    /// <summary>Training forward: normalise with the batch statistics, save mean and 1/std, update running statistics.</summary>
    /// <param name="x">// [N, C, HW]</param>
    /// <param name="gamma">// [C] or empty (no affine)</param>
    /// <param name="beta">// [C] or empty</param>
    /// <param name="n">N.</param>
    /// <param name="c">C.</param>
    /// <param name="hw">H x W.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="momentum">Running-statistics momentum (PyTorch's: running = (1 - m) running + m batch).</param>
    /// <param name="y">// [N, C, HW]</param>
    /// <param name="saveMean">// [C] batch means for backward</param>
    /// <param name="saveInvStd">// [C] 1 / sqrt(var + eps) for backward</param>
    /// <param name="runningMean">// [C] updated, or empty</param>
    /// <param name="runningVar">// [C] updated, or empty</param>
    public static void ForwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, int n, int c, int hw,
        float eps, float momentum, Span<float> y, Span<float> saveMean, Span<float> saveInvStd, Span<float> runningMean, Span<float> runningVar)
    {
        int count = n * hw;
        if (count < 2 && runningVar.Length != 0)
            throw new ArgumentException("Batch normalisation in training needs more than one value per channel.");
        for (int ch = 0; ch < c; ch++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += TensorPrimitives.Sum(x.Slice((i * c + ch) * hw, hw));
            double mean = sum / count;
            double sq = 0;
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> plane = x.Slice((i * c + ch) * hw, hw);
                for (int j = 0; j < plane.Length; j++)
                {
                    double d = plane[j] - mean;
                    sq += d * d;
                }
            }
            double var = sq / count;
            double inv = 1 / Math.Sqrt(var + eps);
            saveMean[ch] = (float)mean;
            saveInvStd[ch] = (float)inv;
            if (runningMean.Length != 0)
            {
                runningMean[ch] = (float)((1 - momentum) * runningMean[ch] + momentum * mean);
                runningVar[ch] = (float)((1 - momentum) * runningVar[ch] + momentum * var * count / (count - 1));
            }
            float scale = (float)(inv * (gamma.Length != 0 ? gamma[ch] : 1));
            float shift = (float)((beta.Length != 0 ? beta[ch] : 0) - mean * inv * (gamma.Length != 0 ? gamma[ch] : 1));
            for (int i = 0; i < n; i++)
                Affine(x.Slice((i * c + ch) * hw, hw), scale, shift, y.Slice((i * c + ch) * hw, hw));
        }
    }

    /// <summary>Inference forward with running statistics: y = gamma (x - mean) / sqrt(var + eps) + beta.</summary>
    public static void ForwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean,
        ReadOnlySpan<float> runningVar, int n, int c, int hw, float eps, Span<float> y)
    {
        for (int ch = 0; ch < c; ch++)
        {
            double inv = 1 / Math.Sqrt(runningVar[ch] + (double)eps);
            double g = gamma.Length != 0 ? gamma[ch] : 1;
            float scale = (float)(inv * g);
            float shift = (float)((beta.Length != 0 ? beta[ch] : 0) - runningMean[ch] * inv * g);
            for (int i = 0; i < n; i++) Affine(x.Slice((i * c + ch) * hw, hw), scale, shift, y.Slice((i * c + ch) * hw, hw));
        }
    }

    /// <summary>
    /// Training backward: dX += gamma inv / M (M dY - sum dY - xhat sum(dY xhat)); dGamma += sum(dY xhat); dBeta += sum dY.
    /// </summary>
    /// <param name="x">// [N, C, HW] forward input</param>
    /// <param name="dY">// [N, C, HW]</param>
    /// <param name="gamma">// [C] or empty</param>
    /// <param name="saveMean">// [C] from the forward pass</param>
    /// <param name="saveInvStd">// [C] from the forward pass</param>
    /// <param name="n">N.</param>
    /// <param name="c">C.</param>
    /// <param name="hw">H x W.</param>
    /// <param name="dX">// [N, C, HW] accumulated into, or empty to skip</param>
    /// <param name="dGamma">// [C] accumulated into, or empty</param>
    /// <param name="dBeta">// [C] accumulated into, or empty</param>
    public static void BackwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> gamma, ReadOnlySpan<float> saveMean,
        ReadOnlySpan<float> saveInvStd, int n, int c, int hw, Span<float> dX, Span<float> dGamma, Span<float> dBeta)
    {
        int count = n * hw;
        for (int ch = 0; ch < c; ch++)
        {
            double mean = saveMean[ch], inv = saveInvStd[ch];
            double sumDy = 0, sumDyX = 0;
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> xp = x.Slice((i * c + ch) * hw, hw), dp = dY.Slice((i * c + ch) * hw, hw);
                sumDy += TensorPrimitives.Sum(dp);
                sumDyX += TensorPrimitives.Dot(dp, xp);
            }
            double sumDyXhat = (sumDyX - mean * sumDy) * inv;
            if (dGamma.Length != 0) dGamma[ch] += (float)sumDyXhat;
            if (dBeta.Length != 0) dBeta[ch] += (float)sumDy;
            if (dX.Length == 0) continue;
            double g = gamma.Length != 0 ? gamma[ch] : 1;
            // dx = k (dy - sumDy/M - xhat sumDyXhat/M) with k = g inv; expand xhat = (x - mean) inv.
            double k = g * inv;
            double a = k;
            double b = -k * inv * sumDyXhat / count;
            double d0 = -k * sumDy / count - b * mean;
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> xp = x.Slice((i * c + ch) * hw, hw), dp = dY.Slice((i * c + ch) * hw, hw);
                Span<float> dxp = dX.Slice((i * c + ch) * hw, hw);
                float fa = (float)a, fb = (float)b, fd = (float)d0;
                for (int j = 0; j < hw; j++) dxp[j] += fa * dp[j] + fb * xp[j] + fd;
            }
        }
    }

    /// <summary>Inference backward (frozen statistics): dX += dY gamma / sqrt(var + eps); parameter gradients as usual.</summary>
    public static void BackwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> gamma, ReadOnlySpan<float> runningMean,
        ReadOnlySpan<float> runningVar, int n, int c, int hw, float eps, Span<float> dX, Span<float> dGamma, Span<float> dBeta)
    {
        for (int ch = 0; ch < c; ch++)
        {
            double inv = 1 / Math.Sqrt(runningVar[ch] + (double)eps);
            double sumDy = 0, sumDyX = 0;
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<float> xp = x.Slice((i * c + ch) * hw, hw), dp = dY.Slice((i * c + ch) * hw, hw);
                sumDy += TensorPrimitives.Sum(dp);
                sumDyX += TensorPrimitives.Dot(dp, xp);
                if (dX.Length != 0)
                {
                    Span<float> dxp = dX.Slice((i * c + ch) * hw, hw);
                    TensorPrimitives.MultiplyAdd(dp, (float)(inv * (gamma.Length != 0 ? gamma[ch] : 1)), dxp, dxp);
                }
            }
            if (dGamma.Length != 0) dGamma[ch] += (float)((sumDyX - runningMean[ch] * sumDy) * inv);
            if (dBeta.Length != 0) dBeta[ch] += (float)sumDy;
        }
    }

    private static void Affine(ReadOnlySpan<float> x, float scale, float shift, Span<float> y) =>
        Elementwise.Map(new AffineOp(scale, shift), x, y);
}
