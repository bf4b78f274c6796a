using System.Numerics.Tensors;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// Activation functions forward and backward. Backward accumulates (dX += f'(x) dY) unless told to overwrite. The
/// piecewise-linear ones run over <c>threads</c> threads on long tensors.
/// </summary>
internal static class Activation
{
    /// <summary>y = f(x).</summary>
    /// <param name="kind">Which activation.</param>
    /// <param name="x">// [any]</param>
    /// <param name="y">// [same], may alias x</param>
    /// <param name="slope">Negative slope of LeakyReLU.</param>
    /// <param name="threads">Degree of parallelism.</param>
    public static void Forward(ActivationKind kind, ReadOnlySpan<float> x, Span<float> y, float slope = 0.01f, int threads = 1)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {y.Length}.", nameof(y));
        if (x.IsEmpty) return;
        switch (kind)
        {
            case ActivationKind.Relu: Elementwise.Map(new ReluOp(), x, y, threads); break;
            case ActivationKind.LeakyRelu: Elementwise.Map(new LeakyReluOp(slope), x, y, threads); break;
            case ActivationKind.Relu6: Elementwise.Map(new ClampOp(0, 6), x, y, threads); break;
            case ActivationKind.HardSigmoid: Elementwise.Map(new HardSigmoidOp(), x, y, threads); break;
            case ActivationKind.HardSwish: Elementwise.Map(new HardSwishOp(), x, y, threads); break;
            case ActivationKind.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case ActivationKind.Tanh: TensorPrimitives.Tanh(x, y); break;
            case ActivationKind.Silu: Elementwise.Map(new SiluOp(), x, y, threads); break;
            case ActivationKind.Gelu:
                for (int i = 0; i < x.Length; i++) y[i] = (float)(0.5 * x[i] * (1 + Erf(x[i] / Math.Sqrt(2))));
                break;
            case ActivationKind.GeluTanh:
                for (int i = 0; i < x.Length; i++)
                {
                    double v = x[i];
                    y[i] = (float)(0.5 * v * (1 + Math.Tanh(GeluC * (v + 0.044715 * v * v * v))));
                }
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation.");
        }
    }

    /// <summary>SiLU's backward works through blocks of this many floats in stack buffers.</summary>
    private const int SiluBlock = 512;

    /// <summary>Shorter blocks are padded to this length for the sigmoid (see <see cref="SigmoidOfBlock"/>).</summary>
    private const int SiluShortest = 16;

    /// <summary>dX += dY s (1 + x (1 - s)) with s = sigmoid(x), a block at a time (dX was cleared first when not accumulating).</summary>
    private static void SiluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, Span<float> dX)
    {
        Span<float> s = stackalloc float[SiluBlock];
        Span<float> t = stackalloc float[SiluBlock];
        Span<float> padded = stackalloc float[SiluShortest];
        for (int i = 0; i < x.Length; i += SiluBlock)
        {
            ReadOnlySpan<float> xb = x.Slice(i, Math.Min(SiluBlock, x.Length - i));
            ReadOnlySpan<float> sb = SigmoidOfBlock(xb, s, padded);
            Span<float> tb = t[..xb.Length];
            TensorPrimitives.Subtract(1f, sb, tb);                   // 1 - s
            TensorPrimitives.FusedMultiplyAdd(xb, tb, 1f, tb);       // 1 + x (1 - s)
            TensorPrimitives.Multiply(tb, sb, tb);                   // s (1 + x (1 - s))
            Span<float> dXb = dX.Slice(i, xb.Length);
            TensorPrimitives.FusedMultiplyAdd(dY.Slice(i, xb.Length), tb, dXb, dXb);
        }
    }

    /// <summary>
    /// The vector sigmoid of <paramref name="block"/> into the front of <paramref name="sigmoid"/>. A block shorter than
    /// <see cref="SiluShortest"/> is padded to it first, so every element takes the same vector path whatever the span's
    /// length: a convolution applying SiLU plane by plane (1x1 planes included) gives the bits of the whole tensor at once.
    /// </summary>
    private static ReadOnlySpan<float> SigmoidOfBlock(ReadOnlySpan<float> block, Span<float> sigmoid, Span<float> padded)
    {
        if (block.Length >= SiluShortest)
            TensorPrimitives.Sigmoid(block, sigmoid[..block.Length]);
        else
        {
            padded.Clear();
            block.CopyTo(padded);
            TensorPrimitives.Sigmoid(padded, sigmoid[..SiluShortest]);
        }
        return sigmoid[..block.Length];
    }

    /// <summary>dX += f'(x) dY, or dX = f'(x) dY when not <paramref name="accumulate"/>. Sigmoid and Tanh read their saved
    /// output <paramref name="y"/>; the others read <paramref name="x"/>.</summary>
    /// <param name="kind">Which activation.</param>
    /// <param name="x">// [any] forward input</param>
    /// <param name="y">// [same] forward output</param>
    /// <param name="dY">// [same]</param>
    /// <param name="dX">// [same], accumulated into or overwritten</param>
    /// <param name="slope">Negative slope of LeakyReLU.</param>
    /// <param name="accumulate">Add to dX (true) or overwrite it.</param>
    /// <param name="threads">Degree of parallelism.</param>
    public static void Backward(ActivationKind kind, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dY, Span<float> dX, float slope = 0.01f,
        bool accumulate = true, int threads = 1)
    {
        if (dY.IsEmpty) return;
        // The loops of the smooth activations below add; overwriting starts them from zero.
        if (!accumulate && kind is ActivationKind.Silu or ActivationKind.Gelu or ActivationKind.GeluTanh) dX.Clear();
        switch (kind)
        {
            case ActivationKind.Relu: Elementwise.Map(new ReluGradOp(), x, dY, dX, accumulate, threads); break;
            case ActivationKind.LeakyRelu: Elementwise.Map(new LeakyReluGradOp(slope), x, dY, dX, accumulate, threads); break;
            case ActivationKind.Relu6: Elementwise.Map(new ClampGradOp(0, 6), x, dY, dX, accumulate, threads); break;
            case ActivationKind.HardSigmoid: Elementwise.Map(new HardSigmoidGradOp(), x, dY, dX, accumulate, threads); break;
            case ActivationKind.HardSwish: Elementwise.Map(new HardSwishGradOp(), x, dY, dX, accumulate, threads); break;
            case ActivationKind.Sigmoid: Elementwise.Map(new SigmoidGradFromOutputOp(), y, dY, dX, accumulate, threads); break;
            case ActivationKind.Tanh: Elementwise.Map(new TanhGradFromOutputOp(), y, dY, dX, accumulate, threads); break;
            case ActivationKind.Silu: SiluBackward(x, dY, dX); break;
            case ActivationKind.Gelu:
                for (int i = 0; i < x.Length; i++)
                {
                    double v = x[i];
                    double cdf = 0.5 * (1 + Erf(v / Math.Sqrt(2)));
                    double pdf = Math.Exp(-0.5 * v * v) / Math.Sqrt(2 * Math.PI);
                    dX[i] += (float)(dY[i] * (cdf + v * pdf));
                }
                break;
            case ActivationKind.GeluTanh:
                for (int i = 0; i < x.Length; i++)
                {
                    double v = x[i];
                    double inner = GeluC * (v + 0.044715 * v * v * v);
                    double t = Math.Tanh(inner);
                    double dInner = GeluC * (1 + 3 * 0.044715 * v * v);
                    dX[i] += (float)(dY[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * dInner));
                }
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation.");
        }
    }

    private static readonly double GeluC = Math.Sqrt(2 / Math.PI);

    /// <summary>erf(x) with absolute error below 1.2e-7 (a Chebyshev-fitted erfc), ample for float activations.</summary>
    internal static double Erf(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        double erf = 1 - r;
        return x >= 0 ? erf : -erf;
    }
}
