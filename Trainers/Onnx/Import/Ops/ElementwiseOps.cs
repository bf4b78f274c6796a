using MlPipelines.Engine;
using MlPipelines.Engine.Nn.Layers;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MlPipelines.Trainers.Onnx.Import.Ops;

/// <summary>
/// y = f(x) elementwise; the derivative is given from x and y. With an engine <paramref name="layer"/> computing the same
/// function, the forward pass runs its vectorised, multi-threaded kernel instead of calling f per element.
/// </summary>
internal sealed class UnaryOp(Func<float, float> f, Func<float, float, float> df, ActivationLayer? layer = null) : OnnxOp
{
    /// <summary>The engine activation computing f, if there is one (a convolution before it can apply it in its epilogue).</summary>
    public ActivationLayer? Layer => layer;

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
        if (layer is not null) return [layer.Forward(x, context.Step)];
        Tensor y = T.New(context, T.Shape(x));
        var s = x.Span;
        var d = y.Span;
        for (int i = 0; i < d.Length; i++) d[i] = f(s[i]);
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!, y = outputs[0];
        Tensor dy = outputGradients[0]!;
        Tensor dx = T.New(context, T.Shape(x));
        var xs = x.Span;
        var ys = y.Span;
        var g = dy.Span;
        var d = dx.Span;
        for (int i = 0; i < d.Length; i++) d[i] = g[i] * df(xs[i], ys[i]);
        var r = new Tensor?[inputs.Length];
        r[0] = dx;
        return r;
    }

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}

/// <summary>Identity (also Dropout in inference form); extra outputs (a dropout mask) are all ones.</summary>
internal sealed class IdentityOp(int outputs) : OnnxOp
{
    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        var r = new Tensor[outputs];
        r[0] = inputs[0]!;
        for (int i = 1; i < outputs; i++)
        {
            r[i] = T.New(context, T.Shape(inputs[0]!));
            r[i].Fill(1f);
        }
        return r;
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        var r = new Tensor?[inputs.Length];
        r[0] = outputGradients[0];
        return r;
    }
}

/// <summary>Clip with bounds from attributes (opset &lt; 11) or from optional inputs.</summary>
internal sealed class ClipOp(float? minAttr, float? maxAttr) : OnnxOp
{
    /// <summary>The bounds, from the attributes or the inputs (either may be absent: no bound on that side).</summary>
    public (float Min, float Max) Bounds(Tensor?[] inputs) =>
        minAttr is not null || maxAttr is not null || inputs.Length == 1
            ? (minAttr ?? float.NegativeInfinity, maxAttr ?? float.PositiveInfinity)
            : (inputs.Length > 1 && inputs[1] is { } lo ? lo.Span[0] : float.NegativeInfinity,
               inputs.Length > 2 && inputs[2] is { } hi ? hi.Span[0] : float.PositiveInfinity);

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        var (lo, hi) = Bounds(inputs);
        Tensor x = inputs[0]!;
        Tensor y = T.Rent(context, T.Shape(x));
        // IEEE maximum and minimum, as MathF.Max and MathF.Min: a NaN stays NaN.
        TensorPrimitives.Max(x.Span, lo, y.Span);
        TensorPrimitives.Min(y.Span, hi, y.Span);
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        var (lo, hi) = Bounds(inputs);
        Tensor x = inputs[0]!, dy = outputGradients[0]!;
        Tensor dx = T.New(context, T.Shape(x));
        var s = x.Span;
        var g = dy.Span;
        var d = dx.Span;
        for (int i = 0; i < d.Length; i++) d[i] = s[i] >= lo && s[i] <= hi ? g[i] : 0f;
        var r = new Tensor?[inputs.Length];
        r[0] = dx;
        return r;
    }
}

/// <summary>The arithmetic a <see cref="BinaryOp"/> computes, where it has a vectorised path.</summary>
internal enum Arithmetic
{
    Other,
    Add,
    Sub,
    Mul,
    Div,
}

/// <summary>
/// z = f(a, b) with numpy broadcasting; partial derivatives from a, b and z. Add, Sub, Mul and Div of equal shapes, or of a
/// tensor and an operand constant over its trailing dimensions (a per-channel [C, 1, 1] or [N, C, 1, 1] scale, a scalar)
/// or repeated along its leading ones (a bias row), run as vector kernels over contiguous blocks; the rest through f.
/// </summary>
internal sealed class BinaryOp(Func<float, float, float> f, Func<float, float, float, float> da, Func<float, float, float, float> db, int[] weights,
    Arithmetic arithmetic = Arithmetic.Other) : OnnxOp
{
    public override IReadOnlyList<int> WeightInputs => weights;

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor a = inputs[0]!, b = inputs[1]!;
        int[] shape = T.Broadcast(T.Shape(a), T.Shape(b));
        if (arithmetic != Arithmetic.Other)
        {
            bool aFull = a.Length == T.Count(shape), bFull = b.Length == T.Count(shape);
            Blocks? plan = aFull && bFull ? new Blocks(1, a.Length, false) : aFull ? Blocks.Of(T.Shape(b), shape) : bFull ? Blocks.Of(T.Shape(a), shape) : null;
            if (plan is { } p)
            {
                Tensor fast = T.Rent(context, shape);
                if (aFull) p.Run(arithmetic, a.Span, b.Span, fast.Span, smallFirst: false);
                else p.Run(arithmetic, b.Span, a.Span, fast.Span, smallFirst: true);
                return [fast];
            }
        }
        Tensor z = T.New(context, shape);
        var x = a.Span;
        var y = b.Span;
        var d = z.Span;
        if (a.SameShape(b))
        {
            for (int i = 0; i < d.Length; i++) d[i] = f(x[i], y[i]);
            return [z];
        }
        int[] ma = T.BroadcastMap(T.Shape(a), shape), mb = T.BroadcastMap(T.Shape(b), shape);
        for (int i = 0; i < d.Length; i++) d[i] = f(x[ma[i]], y[mb[i]]);
        return [z];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor a = inputs[0]!, b = inputs[1]!, z = outputs[0], dz = outputGradients[0]!;
        int[] shape = T.Shape(z);
        int[] ma = T.BroadcastMap(T.Shape(a), shape), mb = T.BroadcastMap(T.Shape(b), shape);
        Tensor ga = T.New(context, shape), gb = T.New(context, shape);
        var x = a.Span;
        var y = b.Span;
        var zs = z.Span;
        var g = dz.Span;
        var sa = ga.Span;
        var sb = gb.Span;
        for (int i = 0; i < g.Length; i++)
        {
            float av = x[ma[i]], bv = y[mb[i]];
            sa[i] = g[i] * da(av, bv, zs[i]);
            sb[i] = g[i] * db(av, bv, zs[i]);
        }
        return [T.Unbroadcast(ga, T.Shape(a)), T.Unbroadcast(gb, T.Shape(b))];
    }
}

/// <summary>
/// How a smaller operand broadcasts over a full one as contiguous blocks: the output's flat range splits into blocks of
/// <c>Inner</c> values; with <c>PerBlock</c> every block takes one value of the small operand (cycling through it),
/// otherwise each block is combined with the whole small operand (which is <c>Inner</c> long).
/// </summary>
internal readonly record struct Blocks(int Count, int Inner, bool PerBlock)
{
    /// <summary>The plan for <paramref name="small"/> broadcast to <paramref name="full"/>, or null when it does not split so.</summary>
    public static Blocks? Of(int[] small, int[] full)
    {
        int rank = full.Length, off = rank - small.Length;
        int Dim(int i) => i < off ? 1 : small[i - off];
        int lead = 0;
        while (lead < rank && Dim(lead) == 1) lead++;
        int tail = rank;
        while (tail > lead && Dim(tail - 1) == 1) tail--;
        for (int i = lead; i < tail; i++)
            if (Dim(i) != full[i]) return null;
        long total = T.Count(full), inner = T.Count(full.AsSpan(tail));
        if (total == 0) return null;
        if (lead == rank) return new Blocks(1, (int)total, true); // a scalar
        // Constant over the trailing dimensions: one value a block, cycling through the operand.
        if (tail < rank) return new Blocks((int)(total / inner), (int)inner, true);
        // Equal to the trailing dimensions: the whole operand each block.
        long period = T.Count(full.AsSpan(lead));
        return new Blocks((int)(total / period), (int)period, false);
    }

    public void Run(Arithmetic op, ReadOnlySpan<float> full, ReadOnlySpan<float> small, Span<float> z, bool smallFirst)
    {
        for (int k = 0; k < Count; k++)
        {
            var x = full.Slice(k * Inner, Inner);
            var d = z.Slice(k * Inner, Inner);
            if (PerBlock) Scalar(op, x, small[k % small.Length], d, smallFirst);
            else Vector(op, x, small, d, smallFirst);
        }
    }

    private static void Scalar(Arithmetic op, ReadOnlySpan<float> x, float s, Span<float> d, bool scalarFirst)
    {
        switch (op)
        {
            case Arithmetic.Add: TensorPrimitives.Add(x, s, d); break;
            case Arithmetic.Mul: TensorPrimitives.Multiply(x, s, d); break;
            case Arithmetic.Sub when scalarFirst: TensorPrimitives.Subtract(s, x, d); break;
            case Arithmetic.Sub: TensorPrimitives.Subtract(x, s, d); break;
            case Arithmetic.Div when scalarFirst: TensorPrimitives.Divide(s, x, d); break;
            case Arithmetic.Div: TensorPrimitives.Divide(x, s, d); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, null);
        }
    }

    private static void Vector(Arithmetic op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d, bool yFirst)
    {
        switch (op)
        {
            case Arithmetic.Add: TensorPrimitives.Add(x, y, d); break;
            case Arithmetic.Mul: TensorPrimitives.Multiply(x, y, d); break;
            case Arithmetic.Sub when yFirst: TensorPrimitives.Subtract(y, x, d); break;
            case Arithmetic.Sub: TensorPrimitives.Subtract(x, y, d); break;
            case Arithmetic.Div when yFirst: TensorPrimitives.Divide(y, x, d); break;
            case Arithmetic.Div: TensorPrimitives.Divide(x, y, d); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, null);
        }
    }
}

/// <summary>Softmax or LogSoftmax: over one axis (opset 13+) or over the input coerced to 2-D at the axis (earlier opsets).</summary>
internal sealed class SoftmaxOp(long axis, bool coerce2d, bool log) : OnnxOp
{
    private (int Outer, int Dim, int Inner) Layout(int[] shape)
    {
        int a = T.Axis(axis, shape.Length, "Softmax");
        int outer = (int)T.Count(shape.AsSpan(0, a));
        return coerce2d ? (outer, (int)T.Count(shape.AsSpan(a)), 1) : (outer, shape[a], (int)T.Count(shape.AsSpan(a + 1)));
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
        var (outer, dim, inner) = Layout(T.Shape(x));
        Tensor y = T.New(context, T.Shape(x));
        var s = x.Span;
        var d = y.Span;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * dim * inner + i;
                float max = float.NegativeInfinity;
                for (int k = 0; k < dim; k++) max = MathF.Max(max, s[b + k * inner]);
                double sum = 0;
                for (int k = 0; k < dim; k++) sum += Math.Exp(s[b + k * inner] - max);
                float logSum = (float)Math.Log(sum);
                for (int k = 0; k < dim; k++)
                {
                    float v = s[b + k * inner] - max - logSum;
                    d[b + k * inner] = log ? v : MathF.Exp(v);
                }
            }
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor y = outputs[0], dy = outputGradients[0]!;
        var (outer, dim, inner) = Layout(T.Shape(y));
        Tensor dx = T.New(context, T.Shape(y));
        var ys = y.Span;
        var g = dy.Span;
        var d = dx.Span;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * dim * inner + i;
                double dot = 0;
                for (int k = 0; k < dim; k++) dot += log ? g[b + k * inner] : g[b + k * inner] * ys[b + k * inner];
                for (int k = 0; k < dim; k++)
                {
                    int j = b + k * inner;
                    d[j] = log ? g[j] - MathF.Exp(ys[j]) * (float)dot : ys[j] * (g[j] - (float)dot);
                }
            }
        return [dx];
    }
}
