using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// Batch normalisation over the N, H, W axes of NCHW tensors (PyTorch's BatchNorm2d), running statistics updated with
/// momentum and the unbiased variance. Each plane's sums are SIMD float reductions, added across planes in double; the
/// variance sums squared deviations from the mean (no E[x²] - E[x]² cancellation). Channels are independent, so they are
/// split over threads and the results do not depend on the thread count.
/// </summary>
internal static unsafe class BatchNorm
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
    /// <param name="threads">Degree of parallelism (over channels).</param>
    public static void ForwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, int n, int c, int hw,
        float eps, float momentum, Span<float> y, Span<float> saveMean, Span<float> saveInvStd, Span<float> runningMean, Span<float> runningVar,
        int threads = 1)
    {
        int count = n * hw;
        if (count < 2 && runningVar.Length != 0)
            throw new ArgumentException("Batch normalisation in training needs more than one value per channel.");
        CheckSizes(x.Length, y.Length, n, c, hw);
        CheckChannels(c, gamma.Length, beta.Length, runningMean.Length, runningVar.Length);
        CheckChannels(c, saveMean.Length, saveInvStd.Length, c, c, allowEmpty: false);
        if (runningMean.Length != runningVar.Length) throw new ArgumentException("Pass both running statistics or neither.", nameof(runningVar));
        fixed (float* px = x, pg = gamma, pb = beta, py = y, pm = saveMean, pi = saveInvStd, prm = runningMean, prv = runningVar)
        {
            var body = new ForwardTrainingBody
            {
                X = px, Gamma = gamma.Length != 0 ? pg : null, Beta = beta.Length != 0 ? pb : null, Y = py, Mean = pm, InvStd = pi,
                RunningMean = runningMean.Length != 0 ? prm : null, RunningVar = runningVar.Length != 0 ? prv : null,
                N = n, C = c, HW = hw, Eps = eps, Momentum = momentum,
            };
            DeterministicParallel.For(c, threads, MinChannels(n, hw), body);
        }
    }

    /// <summary>Inference forward with running statistics: y = gamma (x - mean) / sqrt(var + eps) + beta.</summary>
    public static void ForwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean,
        ReadOnlySpan<float> runningVar, int n, int c, int hw, float eps, Span<float> y, int threads = 1)
    {
        CheckSizes(x.Length, y.Length, n, c, hw);
        CheckChannels(c, gamma.Length, beta.Length, runningMean.Length, runningVar.Length);
        CheckChannels(c, runningMean.Length, runningVar.Length, c, c, allowEmpty: false);
        fixed (float* px = x, pg = gamma, pb = beta, py = y, prm = runningMean, prv = runningVar)
        {
            var body = new ForwardInferenceBody
            {
                X = px, Gamma = gamma.Length != 0 ? pg : null, Beta = beta.Length != 0 ? pb : null, Y = py, RunningMean = prm, RunningVar = prv,
                N = n, C = c, HW = hw, Eps = eps,
            };
            DeterministicParallel.For(c, threads, MinChannels(n, hw), body);
        }
    }

    /// <summary>
    /// Eval-mode batch norm of one channel as the affine map y = scale x + shift it applies; a convolution that fuses the
    /// norm (<see cref="ConvEpilogue"/>) uses these same floats, so fused and separate layers agree to the bit.
    /// </summary>
    public static (float Scale, float Shift) InferenceAffine(float gamma, float beta, float runningMean, float runningVar, float eps)
    {
        double inv = 1 / Math.Sqrt(runningVar + (double)eps);
        return ((float)(inv * gamma), (float)(beta - runningMean * inv * gamma));
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
    /// <param name="threads">Degree of parallelism (over channels).</param>
    /// <param name="accumulate">Add to dX (true) or overwrite it.</param>
    public static void BackwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> gamma, ReadOnlySpan<float> saveMean,
        ReadOnlySpan<float> saveInvStd, int n, int c, int hw, Span<float> dX, Span<float> dGamma, Span<float> dBeta, int threads = 1, bool accumulate = true)
    {
        CheckSizes(x.Length, dY.Length, n, c, hw);
        if (dX.Length != 0 && dX.Length != x.Length) throw new ArgumentException($"dX holds {dX.Length} elements, x {x.Length}.", nameof(dX));
        CheckChannels(c, gamma.Length, dGamma.Length, dBeta.Length, c);
        CheckChannels(c, saveMean.Length, saveInvStd.Length, c, c, allowEmpty: false);
        fixed (float* px = x, pdy = dY, pg = gamma, pm = saveMean, pi = saveInvStd, pdx = dX, pdg = dGamma, pdb = dBeta)
        {
            var body = new BackwardTrainingBody
            {
                X = px, DY = pdy, Gamma = gamma.Length != 0 ? pg : null, Mean = pm, InvStd = pi, DX = dX.Length != 0 ? pdx : null,
                DGamma = dGamma.Length != 0 ? pdg : null, DBeta = dBeta.Length != 0 ? pdb : null, N = n, C = c, HW = hw, Accumulate = accumulate,
            };
            DeterministicParallel.For(c, threads, MinChannels(n, hw), body);
        }
    }

    /// <summary>Inference backward (frozen statistics): dX += (or =) dY gamma / sqrt(var + eps); parameter gradients as usual.</summary>
    public static void BackwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, ReadOnlySpan<float> gamma, ReadOnlySpan<float> runningMean,
        ReadOnlySpan<float> runningVar, int n, int c, int hw, float eps, Span<float> dX, Span<float> dGamma, Span<float> dBeta, bool accumulate = true)
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
                    float k = (float)(inv * (gamma.Length != 0 ? gamma[ch] : 1));
                    if (accumulate) TensorPrimitives.MultiplyAdd(dp, k, dxp, dxp);
                    else TensorPrimitives.Multiply(dp, k, dxp);
                }
            }
            if (dGamma.Length != 0) dGamma[ch] += (float)((sumDyX - runningMean[ch] * sumDy) * inv);
            if (dBeta.Length != 0) dBeta[ch] += (float)sumDy;
        }
    }

    /// <summary>
    /// Sum of a plane (float vectors in a fixed lane order). Planes are short (49 floats at 7x7) and each channel has one
    /// per image: a call into TensorPrimitives per plane cost more than these loops (about 2 % of a ResNet-20 step).
    /// </summary>
    internal static float PlaneSum(float* x, int length)
    {
        int i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && length >= 16)
        {
            Vector512<float> acc = Vector512<float>.Zero;
            for (; i <= length - 16; i += 16) acc += Vector512.Load(x + i);
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
            for (; i <= length - 16; i += 16)
            {
                acc0 += Vector256.Load(x + i);
                acc1 += Vector256.Load(x + i + 8);
            }
            if (i <= length - 8)
            {
                acc0 += Vector256.Load(x + i);
                i += 8;
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        for (; i < length; i++) sum += x[i];
        return sum;
    }

    /// <summary>(sum of dy, sum of dy x) over a plane in one pass, as <see cref="PlaneSum"/>.</summary>
    internal static (float Sum, float Dot) PlaneSumAndDot(float* dy, float* x, int length)
    {
        int i = 0;
        float sum = 0, dot = 0;
        if (Vector512.IsHardwareAccelerated && length >= 16)
        {
            Vector512<float> s = Vector512<float>.Zero, d = Vector512<float>.Zero;
            for (; i <= length - 16; i += 16)
            {
                Vector512<float> g = Vector512.Load(dy + i);
                s += g;
                d = Vector512.FusedMultiplyAdd(g, Vector512.Load(x + i), d);
            }
            (sum, dot) = (Vector512.Sum(s), Vector512.Sum(d));
        }
        else if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            Vector256<float> s0 = Vector256<float>.Zero, s1 = Vector256<float>.Zero, d0 = Vector256<float>.Zero, d1 = Vector256<float>.Zero;
            for (; i <= length - 16; i += 16)
            {
                Vector256<float> g0 = Vector256.Load(dy + i), g1 = Vector256.Load(dy + i + 8);
                s0 += g0;
                s1 += g1;
                d0 = Vector256.FusedMultiplyAdd(g0, Vector256.Load(x + i), d0);
                d1 = Vector256.FusedMultiplyAdd(g1, Vector256.Load(x + i + 8), d1);
            }
            if (i <= length - 8)
            {
                Vector256<float> g = Vector256.Load(dy + i);
                s0 += g;
                d0 = Vector256.FusedMultiplyAdd(g, Vector256.Load(x + i), d0);
                i += 8;
            }
            (sum, dot) = (Vector256.Sum(s0 + s1), Vector256.Sum(d0 + d1));
        }
        for (; i < length; i++)
        {
            sum += dy[i];
            dot = MathF.FusedMultiplyAdd(dy[i], x[i], dot);
        }
        return (sum, dot);
    }

    /// <summary>Sum over the plane of (x - mean)², in float vectors with a fixed lane order.</summary>
    internal static float SumSquaredDeviation(ReadOnlySpan<float> x, float mean)
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        int length = x.Length, i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && length >= 16)
        {
            Vector512<float> m = Vector512.Create(mean), acc = Vector512<float>.Zero;
            for (; i <= length - 16; i += 16)
            {
                Vector512<float> d = Vector512.LoadUnsafe(ref xs, (nuint)i) - m;
                acc = Vector512.FusedMultiplyAdd(d, d, acc);
            }
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && length >= 8)
        {
            Vector256<float> m = Vector256.Create(mean), acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
            for (; i <= length - 16; i += 16)
            {
                Vector256<float> d0 = Vector256.LoadUnsafe(ref xs, (nuint)i) - m, d1 = Vector256.LoadUnsafe(ref xs, (nuint)(i + 8)) - m;
                acc0 = Vector256.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector256.FusedMultiplyAdd(d1, d1, acc1);
            }
            for (; i <= length - 8; i += 8)
            {
                Vector256<float> d = Vector256.LoadUnsafe(ref xs, (nuint)i) - m;
                acc0 = Vector256.FusedMultiplyAdd(d, d, acc0);
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        for (; i < length; i++)
        {
            float d = Unsafe.Add(ref xs, i) - mean;
            sum = MathF.FusedMultiplyAdd(d, d, sum);
        }
        return sum;
    }

    /// <summary>Channels per chunk so that a thread gets at least about 16K values.</summary>
    private static int MinChannels(int n, int hw) => Math.Max(1, (1 << 14) / Math.Max(1, n * hw));

    private static void CheckSizes(int xLength, int yLength, int n, int c, int hw)
    {
        if (xLength != (long)n * c * hw) throw new ArgumentException($"x holds {xLength} elements; [N, C, HW] = [{n}, {c}, {hw}] needs {(long)n * c * hw}.", "x");
        if (yLength != xLength) throw new ArgumentException($"The output holds {yLength} elements, x {xLength}.", "y");
    }

    /// <summary>Per-channel vectors hold C values (or none, where optional): the kernels index them through pointers.</summary>
    private static void CheckChannels(int c, int a, int b, int d, int e, bool allowEmpty = true)
    {
        foreach (int length in (ReadOnlySpan<int>)[a, b, d, e])
            if (length != c && !(allowEmpty && length == 0))
                throw new ArgumentException($"A per-channel vector holds {length} values; the tensor has {c} channels.");
    }

    private struct ForwardTrainingBody : IChunkBody
    {
        public float* X, Gamma, Beta, Y, Mean, InvStd, RunningMean, RunningVar;
        public int N, C, HW;
        public float Eps, Momentum;

        public readonly void Run(int c0, int c1)
        {
            int count = N * HW;
            for (int ch = c0; ch < c1; ch++)
            {
                double sum = 0;
                for (int i = 0; i < N; i++) sum += PlaneSum(X + ((long)i * C + ch) * HW, HW);
                double mean = sum / count;
                double sq = 0;
                for (int i = 0; i < N; i++) sq += SumSquaredDeviation(Plane(X, i, ch), (float)mean);
                // The planes' squares were taken about the float-rounded mean; correct to the exact one.
                double shiftMean = mean - (float)mean;
                double var = Math.Max(0, sq / count - shiftMean * shiftMean);
                double inv = 1 / Math.Sqrt(var + Eps);
                Mean[ch] = (float)mean;
                InvStd[ch] = (float)inv;
                if (RunningMean != null)
                {
                    RunningMean[ch] = (float)((1 - Momentum) * RunningMean[ch] + Momentum * mean);
                    RunningVar[ch] = (float)((1 - Momentum) * RunningVar[ch] + Momentum * var * count / (count - 1));
                }
                double g = Gamma != null ? Gamma[ch] : 1;
                float scale = (float)(inv * g);
                float shift = (float)((Beta != null ? Beta[ch] : 0) - mean * inv * g);
                for (int i = 0; i < N; i++) Affine(Plane(X, i, ch), scale, shift, new Span<float>(Y + ((long)i * C + ch) * HW, HW));
            }
        }

        private readonly ReadOnlySpan<float> Plane(float* p, int i, int ch) => new(p + ((long)i * C + ch) * HW, HW);
    }

    private struct ForwardInferenceBody : IChunkBody
    {
        public float* X, Gamma, Beta, Y, RunningMean, RunningVar;
        public int N, C, HW;
        public float Eps;

        public readonly void Run(int c0, int c1)
        {
            for (int ch = c0; ch < c1; ch++)
            {
                var (scale, shift) = InferenceAffine(Gamma != null ? Gamma[ch] : 1, Beta != null ? Beta[ch] : 0, RunningMean[ch], RunningVar[ch], Eps);
                for (int i = 0; i < N; i++)
                {
                    long at = ((long)i * C + ch) * HW;
                    Affine(new ReadOnlySpan<float>(X + at, HW), scale, shift, new Span<float>(Y + at, HW));
                }
            }
        }
    }

    private struct BackwardTrainingBody : IChunkBody
    {
        public float* X, DY, Gamma, Mean, InvStd, DX, DGamma, DBeta;
        public int N, C, HW;
        public bool Accumulate;

        public readonly void Run(int c0, int c1)
        {
            int count = N * HW;
            for (int ch = c0; ch < c1; ch++)
            {
                double mean = Mean[ch], inv = InvStd[ch];
                double sumDy = 0, sumDyX = 0;
                for (int i = 0; i < N; i++)
                {
                    long at = ((long)i * C + ch) * HW;
                    (float s, float d) = PlaneSumAndDot(DY + at, X + at, HW);
                    sumDy += s;
                    sumDyX += d;
                }
                double sumDyXhat = (sumDyX - mean * sumDy) * inv;
                if (DGamma != null) DGamma[ch] += (float)sumDyXhat;
                if (DBeta != null) DBeta[ch] += (float)sumDy;
                if (DX == null) continue;
                double g = Gamma != null ? Gamma[ch] : 1;
                // dx = k (dy - sumDy/M - xhat sumDyXhat/M) with k = g inv; expand xhat = (x - mean) inv.
                double k = g * inv;
                double b = -k * inv * sumDyXhat / count;
                double d0 = -k * sumDy / count - b * mean;
                var op = new BatchNormGradOp((float)k, (float)b, (float)d0);
                for (int i = 0; i < N; i++)
                    Elementwise.Map(op, Plane(DY, i, ch), Plane(X, i, ch), new Span<float>(DX + ((long)i * C + ch) * HW, HW), Accumulate);
            }
        }

        private readonly ReadOnlySpan<float> Plane(float* p, int i, int ch) => new(p + ((long)i * C + ch) * HW, HW);
    }

    private static void Affine(ReadOnlySpan<float> x, float scale, float shift, Span<float> y) =>
        Elementwise.Map(new AffineOp(scale, shift), x, y);
}
