using System.Runtime.Intrinsics;

namespace MlPipelines.Engine.Kernels.Operators;

// Forward operators: y = f(x). Backward operators: g(x, dY) = f'(x) * dY, with PyTorch's choices at the kinks.

internal readonly struct ReluOp : IUnaryOperator
{
    public float Invoke(float x) => x > 0 ? x : 0;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);
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

/// <summary>min(max(x, lo), hi): ReLU6 with (0, 6).</summary>
internal readonly struct ClampOp(float lo, float hi) : IUnaryOperator
{
    public float Invoke(float x) => x < lo ? lo : x > hi ? hi : x;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Min(Vector256.Max(x, Vector256.Create(lo)), Vector256.Create(hi));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Min(Vector512.Max(x, Vector512.Create(lo)), Vector512.Create(hi));
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

/// <summary>relu(x + y): a residual block's sum and activation in one pass.</summary>
internal readonly struct AddReluOp : IBinaryOperator
{
    public float Invoke(float x, float y)
    {
        float s = x + y;
        return s > 0 ? s : 0;
    }

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.Max(x + y, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.Max(x + y, Vector512<float>.Zero);
}
