using MlPipelines.Engine;

namespace MlPipelines.Trainers.Onnx.Import.Ops;

/// <summary>y = f(x) elementwise; the derivative is given from x and y.</summary>
internal sealed class UnaryOp(Func<float, float> f, Func<float, float, float> df) : OnnxOp
{
    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
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
    private (float Min, float Max) Bounds(Tensor?[] inputs) =>
        minAttr is not null || maxAttr is not null || inputs.Length == 1
            ? (minAttr ?? float.NegativeInfinity, maxAttr ?? float.PositiveInfinity)
            : (inputs.Length > 1 && inputs[1] is { } lo ? lo.Span[0] : float.NegativeInfinity,
               inputs.Length > 2 && inputs[2] is { } hi ? hi.Span[0] : float.PositiveInfinity);

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        var (lo, hi) = Bounds(inputs);
        Tensor x = inputs[0]!;
        Tensor y = T.New(context, T.Shape(x));
        var s = x.Span;
        var d = y.Span;
        for (int i = 0; i < d.Length; i++) d[i] = MathF.Min(MathF.Max(s[i], lo), hi);
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

/// <summary>z = f(a, b) with numpy broadcasting; partial derivatives from a, b and z.</summary>
internal sealed class BinaryOp(Func<float, float, float> f, Func<float, float, float, float> da, Func<float, float, float, float> db, int[] weights) : OnnxOp
{
    public override IReadOnlyList<int> WeightInputs => weights;

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor a = inputs[0]!, b = inputs[1]!;
        int[] shape = T.Broadcast(T.Shape(a), T.Shape(b));
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
