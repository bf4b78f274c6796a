using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlPipelines.Engine.Kernels.Operators;

// Forward operators: y = f(x). Backward operators: g(x, dY) = f'(x) * dY, with PyTorch's choices at the kinks.

/// <summary>max(x, 0), a NaN kept (as PyTorch's relu) and -0 kept, on every width (see <see cref="ClampOp"/>).</summary>
internal readonly struct ReluOp : IUnaryOperator
{
    public float Invoke(float x) => 0 > x ? 0 : x;

    public Vector256<float> Invoke(Vector256<float> x) => Avx.IsSupported
        ? Avx.Max(Vector256<float>.Zero, x)
        : Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256<float>.Zero, x), Vector256<float>.Zero, x);

    public Vector512<float> Invoke(Vector512<float> x) => Avx512F.IsSupported
        ? Avx512F.Max(Vector512<float>.Zero, x)
        : Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512<float>.Zero, x), Vector512<float>.Zero, x);
}

internal readonly struct ReluGradOp : IBinaryOperator
{
    public float Invoke(float x, float dy) => x > 0 ? dy : 0;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), dy, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy, Vector512<float>.Zero);
}

internal readonly struct LeakyReluOp(float slope) : IUnaryOperator
{
    public float Invoke(float x) => x > 0 ? x : x * slope;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, x * slope);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, x * slope);
}

internal readonly struct LeakyReluGradOp(float slope) : IBinaryOperator
{
    public float Invoke(float x, float dy) => x > 0 ? dy : dy * slope;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), dy, dy * slope);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy, dy * slope);
}

/// <summary>
/// min(max(x, lo), hi), ReLU6 with (0, 6), as the scalar form reads: a NaN stays NaN and -0 stays -0, on every width.
/// The vector forms are the bare MAXPS / MINPS with the bound as first operand ((a > b) ? a : b returns x itself when x
/// is NaN): the IEEE maximum and minimum of <see cref="Vector512.Max{T}"/> take three instructions each, where a
/// depthwise block or an epilogue pass has about ten others a vector. Written out in each method, not through a shared
/// helper: one more level of inlining cost ResNet-20 4 % (the kernels that inline an epilogue are large, and their
/// inlining budgets run out).
/// </summary>
internal readonly struct ClampOp(float lo, float hi) : IUnaryOperator
{
    public float Invoke(float x) => x < lo ? lo : x > hi ? hi : x;

    public Vector256<float> Invoke(Vector256<float> x)
    {
        Vector256<float> l = Vector256.Create(lo), h = Vector256.Create(hi);
        if (Avx.IsSupported) return Avx.Min(h, Avx.Max(l, x));
        x = Vector256.ConditionalSelect(Vector256.GreaterThan(l, x), l, x);
        return Vector256.ConditionalSelect(Vector256.LessThan(h, x), h, x);
    }

    public Vector512<float> Invoke(Vector512<float> x)
    {
        Vector512<float> l = Vector512.Create(lo), h = Vector512.Create(hi);
        if (Avx512F.IsSupported) return Avx512F.Min(h, Avx512F.Max(l, x));
        x = Vector512.ConditionalSelect(Vector512.GreaterThan(l, x), l, x);
        return Vector512.ConditionalSelect(Vector512.LessThan(h, x), h, x);
    }
}

/// <summary>dY where lo &lt; x &lt; hi (hardtanh's backward).</summary>
internal readonly struct ClampGradOp(float lo, float hi) : IBinaryOperator
{
    public float Invoke(float x, float dy) => x > lo && x < hi ? dy : 0;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(lo)) & Vector256.LessThan(x, Vector256.Create(hi)), dy, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(lo)) & Vector512.LessThan(x, Vector512.Create(hi)), dy, Vector512<float>.Zero);
}

/// <summary>relu6(x + 3) / 6.</summary>
internal readonly struct HardSigmoidOp : IUnaryOperator
{
    public float Invoke(float x) => Math.Clamp(x + 3f, 0f, 6f) / 6f;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Min(Vector256.Max(x + Vector256.Create(3f), Vector256<float>.Zero), Vector256.Create(6f)) / 6f;
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Min(Vector512.Max(x + Vector512.Create(3f), Vector512<float>.Zero), Vector512.Create(6f)) / 6f;
}

/// <summary>dY / 6 where -3 &lt; x &lt; 3.</summary>
internal readonly struct HardSigmoidGradOp : IBinaryOperator
{
    public float Invoke(float x, float dy) => x > -3f && x < 3f ? dy / 6f : 0;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(-3f)) & Vector256.LessThan(x, Vector256.Create(3f)), dy / 6f, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(-3f)) & Vector512.LessThan(x, Vector512.Create(3f)), dy / 6f, Vector512<float>.Zero);
}

/// <summary>x * relu6(x + 3) / 6.</summary>
/// <summary>
/// x sigmoid(x) = x / (1 + e^-x), with e^-x computed inline (<see cref="Exp(Vector512{float})"/>): the runtime's vector exp
/// is a call per vector, which made SiLU a fifth of an EfficientNet's inference. Both widths, and the scalar path (through
/// a 256-bit vector), run the same lane-wise operations, so a plane's last few values, a 256-bit kernel and a 512-bit one
/// give the same bits, and a convolution can finish with SiLU as it stores its outputs.
/// </summary>
internal readonly struct SiluOp : IUnaryOperator
{
    public float Invoke(float x) => Invoke(Vector256.Create(x)).ToScalar();

    public Vector256<float> Invoke(Vector256<float> x) => x * Reciprocal(Vector256<float>.One + Exp(-x));
    public Vector512<float> Invoke(Vector512<float> x) => x * Reciprocal(Vector512<float>.One + Exp(-x));

    // 1 / d for d >= 1: the hardware estimate (14 bits with AVX-512, 12 with AVX) and one Newton step, r (2 - d r), within
    // about an ulp; a vector division took as long as the rest of SiLU. Each width uses the same estimate instruction on a
    // given machine, so the widths agree bit for bit; without one (not x86) it divides.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reciprocal(Vector256<float> d)
    {
        Vector256<float> r;
        if (Avx512F.VL.IsSupported) r = Avx512F.VL.Reciprocal14(d);
        else if (Avx.IsSupported) r = Avx.Reciprocal(d);
        else return Vector256<float>.One / d;
        return r * Vector256.FusedMultiplyAdd(-d, r, Vector256.Create(2f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reciprocal(Vector512<float> d)
    {
        if (!Avx512F.IsSupported) return Vector512<float>.One / d;
        Vector512<float> r = Avx512F.Reciprocal14(d);
        return r * Vector512.FusedMultiplyAdd(-d, r, Vector512.Create(2f));
    }

    // e^x = 2^n e^r with n = round(x log2 e) and r = x - n ln 2 (ln 2 in two parts, so r is exact to a float), e^r by
    // Cephes' degree-7 expf polynomial (relative error about 1e-7 on |r| <= ln 2 / 2), times 2^n: VSCALEFPS with AVX-512
    // (one instruction), else 2^n built in the exponent field; both are the exact product rounded once, so the same bits.
    // x is clamped to [-87.3, 88.0] so that n stays in [-126, 127]: below, e^x is under the smallest normal float (taken
    // as 2^-126-ish, which no sigmoid can tell from 0 beside 1); above, 1 / (1 + e^x) is under 2^-127 anyway. NaN stays NaN
    // (the clamp is ClampOp's bare MAXPS / MINPS: the IEEE Min / Max took six instructions where these take two).
    private const float Log2E = 1.44269504088896341f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f, Low = -87.3f, High = 88.0f;
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp(Vector256<float> x)
    {
        x = new ClampOp(Low, High).Invoke(x);
        Vector256<float> n = Vector256.Round(x * Log2E);
        Vector256<float> r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), x));
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        if (Avx512F.VL.IsSupported) return Avx512F.VL.Scale(p, n);
        Vector256<float> scale = ((Vector256.ConvertToInt32Native(n) + Vector256.Create(127)) << 23).AsSingle();
        return p * scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp(Vector512<float> x)
    {
        x = new ClampOp(Low, High).Invoke(x);
        Vector512<float> n = Vector512.Round(x * Log2E);
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), x));
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        if (Avx512F.IsSupported) return Avx512F.Scale(p, n);
        Vector512<float> scale = ((Vector512.ConvertToInt32Native(n) + Vector512.Create(127)) << 23).AsSingle();
        return p * scale;
    }
}

internal readonly struct HardSwishOp : IUnaryOperator
{
    public float Invoke(float x) => x * new HardSigmoidOp().Invoke(x);
    public Vector256<float> Invoke(Vector256<float> x) => x * new HardSigmoidOp().Invoke(x);
    public Vector512<float> Invoke(Vector512<float> x) => x * new HardSigmoidOp().Invoke(x);
}

/// <summary>0 below -3, (x / 3 + 1/2) dY from -3 to 3 inclusive, dY above (PyTorch 1.13's convention at the kinks).</summary>
internal readonly struct HardSwishGradOp : IBinaryOperator
{
    public float Invoke(float x, float dy) => x < -3f ? 0 : x <= 3f ? dy * (x / 3f + 0.5f) : dy;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> dy)
    {
        var mid = dy * (x / 3f + Vector256.Create(0.5f));
        var v = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(x, Vector256.Create(3f)), mid, dy);
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(-3f)), Vector256<float>.Zero, v);
    }
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy)
    {
        var mid = dy * (x / 3f + Vector512.Create(0.5f));
        var v = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(x, Vector512.Create(3f)), mid, dy);
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(-3f)), Vector512<float>.Zero, v);
    }
}

/// <summary>s (1 - s) dY from the saved output s = sigmoid(x).</summary>
internal readonly struct SigmoidGradFromOutputOp : IBinaryOperator
{
    public float Invoke(float s, float dy) => dy * s * (1 - s);
    public Vector256<float> Invoke(Vector256<float> s, Vector256<float> dy) => dy * s * (Vector256<float>.One - s);
    public Vector512<float> Invoke(Vector512<float> s, Vector512<float> dy) => dy * s * (Vector512<float>.One - s);
}

/// <summary>(1 - t^2) dY from the saved output t = tanh(x).</summary>
internal readonly struct TanhGradFromOutputOp : IBinaryOperator
{
    public float Invoke(float t, float dy) => dy * (1 - t * t);
    public Vector256<float> Invoke(Vector256<float> t, Vector256<float> dy) => dy * (Vector256<float>.One - t * t);
    public Vector512<float> Invoke(Vector512<float> t, Vector512<float> dy) => dy * (Vector512<float>.One - t * t);
}

/// <summary>x + y.</summary>
internal readonly struct AddOp : IBinaryOperator
{
    public float Invoke(float x, float y) => x + y;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x + y;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x + y;
}

/// <summary>x * y.</summary>
internal readonly struct MultiplyOp : IBinaryOperator
{
    public float Invoke(float x, float y) => x * y;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x * y;
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x * y;
}

/// <summary>x * scale + shift.</summary>
internal readonly struct AffineOp(float scale, float shift) : IUnaryOperator
{
    public float Invoke(float x) => MathF.FusedMultiplyAdd(x, scale, shift);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.FusedMultiplyAdd(x, Vector256.Create(scale), Vector256.Create(shift));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.FusedMultiplyAdd(x, Vector512.Create(scale), Vector512.Create(shift));
}

/// <summary>
/// act(x * scale + shift): an eval batch norm and its activation in one pass (the two operators composed, so the same
/// bits as running them one after the other).
/// </summary>
internal readonly struct AffineThenOp<TAct>(AffineOp affine, TAct activation) : IUnaryOperator where TAct : unmanaged, IUnaryOperator
{
    public float Invoke(float x) => activation.Invoke(affine.Invoke(x));
    public Vector256<float> Invoke(Vector256<float> x) => activation.Invoke(affine.Invoke(x));
    public Vector512<float> Invoke(Vector512<float> x) => activation.Invoke(affine.Invoke(x));
}

/// <summary>x: the epilogue of a convolution with neither batch norm nor activation.</summary>
internal readonly struct IdentityOp : IUnaryOperator
{
    public float Invoke(float x) => x;
    public Vector256<float> Invoke(Vector256<float> x) => x;
    public Vector512<float> Invoke(Vector512<float> x) => x;
}

/// <summary>op(x + bias): a convolution's bias, then its epilogue (the same bits as adding the bias in a pass of its own).</summary>
internal readonly struct BiasThenOp<TOp>(float bias, TOp op) : IUnaryOperator where TOp : unmanaged, IUnaryOperator
{
    public float Invoke(float x) => op.Invoke(x + bias);
    public Vector256<float> Invoke(Vector256<float> x) => op.Invoke(x + Vector256.Create(bias));
    public Vector512<float> Invoke(Vector512<float> x) => op.Invoke(x + Vector512.Create(bias));
}

/// <summary>act(x * scale + shift + r): an eval batch norm, a residual block's sum and its activation in one pass (the same bits as in turn).</summary>
internal readonly struct AffineAddThenOp<TAct>(AffineOp affine, TAct activation) : IBinaryOperator where TAct : unmanaged, IUnaryOperator
{
    public float Invoke(float x, float r) => activation.Invoke(affine.Invoke(x) + r);
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> r) => activation.Invoke(affine.Invoke(x) + r);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> r) => activation.Invoke(affine.Invoke(x) + r);
}

/// <summary>act(x + r): a residual block's sum and its activation.</summary>
internal readonly struct AddThenOp<TAct>(TAct activation) : IBinaryOperator where TAct : unmanaged, IUnaryOperator
{
    public float Invoke(float x, float r) => activation.Invoke(x + r);
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> r) => activation.Invoke(x + r);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> r) => activation.Invoke(x + r);
}

/// <summary>Batch-norm input gradient from dY and x: a dY + b x + d (the per-channel constants of the backward pass).</summary>
internal readonly struct BatchNormGradOp(float a, float b, float d) : IBinaryOperator
{
    public float Invoke(float dy, float x) => MathF.FusedMultiplyAdd(a, dy, MathF.FusedMultiplyAdd(b, x, d));
    public Vector256<float> Invoke(Vector256<float> dy, Vector256<float> x) =>
        Vector256.FusedMultiplyAdd(Vector256.Create(a), dy, Vector256.FusedMultiplyAdd(Vector256.Create(b), x, Vector256.Create(d)));
    public Vector512<float> Invoke(Vector512<float> dy, Vector512<float> x) =>
        Vector512.FusedMultiplyAdd(Vector512.Create(a), dy, Vector512.FusedMultiplyAdd(Vector512.Create(b), x, Vector512.Create(d)));
}

