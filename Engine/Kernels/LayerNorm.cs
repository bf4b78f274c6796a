using System.Numerics.Tensors;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Kernels;

/// <summary>Layer normalisation over the last D values of each row, with optional elementwise affine.</summary>
internal static class LayerNorm
{
    /// <summary>y = (x - mean) / sqrt(var + eps) * gamma + beta per row.</summary>
    /// <param name="x">// [R, D]</param>
    /// <param name="gamma">// [D] or empty</param>
    /// <param name="beta">// [D] or empty</param>
    /// <param name="rows">R.</param>
    /// <param name="d">D.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="y">// [R, D]</param>
    /// <param name="saveMean">// [R]</param>
    /// <param name="saveInvStd">// [R]</param>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, int rows, int d, float eps,
        Span<float> y, Span<float> saveMean, Span<float> saveInvStd)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * d, d);
            Span<float> yr = y.Slice(r * d, d);
            double mean = 0;
            foreach (float v in xr) mean += v;
            mean /= d;
            double var = 0;
            foreach (float v in xr) var += (v - mean) * (v - mean);
            var /= d;
            float inv = (float)(1 / Math.Sqrt(var + eps));
            saveMean[r] = (float)mean;
            saveInvStd[r] = inv;
            Elementwise.Map(new AffineOp(inv, (float)(-mean * inv)), xr, yr);
            if (gamma.Length != 0) TensorPrimitives.Multiply(yr, gamma, yr);
            if (beta.Length != 0) TensorPrimitives.Add(yr, beta, yr);
        }
    }

    /// <summary>dX += inv / D (D g - sum g - xhat sum(g xhat)) with g = dY gamma; dGamma += dY xhat; dBeta += dY.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> gamma, ReadOnlySpan<float> saveMean,
        ReadOnlySpan<float> saveInvStd, int rows, int d, Span<float> dX, Span<float> dGamma, Span<float> dBeta)
    {
        Span<double> xhat = d <= 4096 ? stackalloc double[d] : new double[d];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * d, d), dr = dY.Slice(r * d, d);
            double mean = saveMean[r], inv = saveInvStd[r];
            double sumG = 0, sumGX = 0;
            for (int j = 0; j < d; j++)
            {
                xhat[j] = (xr[j] - mean) * inv;
                double g = dr[j] * (gamma.Length != 0 ? gamma[j] : 1);
                sumG += g;
                sumGX += g * xhat[j];
                if (dGamma.Length != 0) dGamma[j] += (float)(dr[j] * xhat[j]);
                if (dBeta.Length != 0) dBeta[j] += dr[j];
            }
            if (dX.Length == 0) continue;
            Span<float> dxr = dX.Slice(r * d, d);
            for (int j = 0; j < d; j++)
            {
                double g = dr[j] * (gamma.Length != 0 ? gamma[j] : 1);
                dxr[j] += (float)(inv / d * (d * g - sumG - xhat[j] * sumGX));
            }
        }
    }
}
