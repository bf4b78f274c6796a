using MlPipelines.Engine;
using MlPipelines.Engine.Nn.Layers;

using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MlPipelines.Trainers.Onnx.Import.Ops;

/// <summary>MaxPool and AveragePool over 1-D or 2-D windows (pads, strides, dilations, ceil_mode, count_include_pad).</summary>
internal sealed class PoolOp(NodeAttributes a, bool max) : OnnxOp
{
    private readonly bool _countPad = a.Int("count_include_pad", 0) != 0;

    /// <summary>The engine's max pooling, for square 2-D windows with equal padding on every side (as exported CNNs use).</summary>
    private MaxPool2d? _engine;

    private (Window2d G, int NC, int H, int W, int OH, int OW) Geometry(Tensor x)
    {
        if (x.Rank is not (3 or 4)) throw new NotSupportedException($"{a.Where}: only 1-D and 2-D pooling is supported (input rank {x.Rank}).");
        long[] kernel = a.Ints("kernel_shape") ?? throw a.Invalid("kernel_shape is required.");
        int h = x.Rank == 4 ? x.Dim(2) : 1, w = x.Dim(-1);
        var g = Window2d.From(a, kernel, h, w, x.Rank - 2);
        return (g, x.Dim(0) * x.Dim(1), h, w, g.OutH(h), g.OutW(w));
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
        var (g, nc, h, w, oh, ow) = Geometry(x);
        if (max && x.Rank == 4 && g.KH == g.KW && g.SH == g.SW && g.DH == g.DW && g.PT == g.PL && g.PT == g.PB && g.PT == g.PR && 2 * g.PT <= g.KH)
        {
            // auto_pad SAME pads by the input's size: another size may need another module.
            if (_engine is null || _engine.Padding != g.PT) _engine = new MaxPool2d(g.KH, g.SH, g.PT, g.CeilMode, g.DH);
            return [_engine.Forward(x, context.Step)];
        }
        int[] shape = T.Shape(x);
        if (x.Rank == 4) shape[2] = oh;
        shape[^1] = ow;
        Tensor y = T.New(context, shape);
        var xs = x.Span;
        var ys = y.Span;
        for (int p = 0; p < nc; p++)
            for (int yi = 0; yi < oh; yi++)
                for (int xi = 0; xi < ow; xi++)
                {
                    float acc = max ? float.NegativeInfinity : 0f;
                    int count = 0;
                    for (int ky = 0; ky < g.KH; ky++)
                    {
                        int iy = yi * g.SH - g.PT + ky * g.DH;
                        if ((uint)iy >= (uint)h) continue;
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int ix = xi * g.SW - g.PL + kx * g.DW;
                            if ((uint)ix >= (uint)w) continue;
                            float v = xs[(p * h + iy) * w + ix];
                            acc = max ? MathF.Max(acc, v) : acc + v;
                            count++;
                        }
                    }
                    ys[(p * oh + yi) * ow + xi] = max ? acc : acc / Divisor(g, h, w, yi, xi, count);
                }
        return [y];
    }

    private int Divisor(Window2d g, int h, int w, int yi, int xi, int count)
    {
        if (!_countPad) return Math.Max(count, 1);
        int y0 = yi * g.SH - g.PT, x0 = xi * g.SW - g.PL;
        int y1 = Math.Min(y0 + (g.KH - 1) * g.DH + 1, h + g.PB), x1 = Math.Min(x0 + (g.KW - 1) * g.DW + 1, w + g.PR);
        return Math.Max(1, ((y1 - y0 + g.DH - 1) / g.DH) * ((x1 - x0 + g.DW - 1) / g.DW));
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!, y = outputs[0], dy = outputGradients[0]!;
        var (g, nc, h, w, oh, ow) = Geometry(x);
        Tensor dx = T.New(context, T.Shape(x));
        var xs = x.Span;
        var ys = y.Span;
        var gs = dy.Span;
        var ds = dx.Span;
        for (int p = 0; p < nc; p++)
            for (int yi = 0; yi < oh; yi++)
                for (int xi = 0; xi < ow; xi++)
                {
                    int o = (p * oh + yi) * ow + xi;
                    int count = 0;
                    if (!max)
                        for (int ky = 0; ky < g.KH; ky++)
                            for (int kx = 0; kx < g.KW; kx++)
                            {
                                int iy = yi * g.SH - g.PT + ky * g.DH, ix = xi * g.SW - g.PL + kx * g.DW;
                                if ((uint)iy < (uint)h && (uint)ix < (uint)w) count++;
                            }
                    float share = max ? 0f : gs[o] / Divisor(g, h, w, yi, xi, count);
                    bool done = false;
                    for (int ky = 0; ky < g.KH && !done; ky++)
                    {
                        int iy = yi * g.SH - g.PT + ky * g.DH;
                        if ((uint)iy >= (uint)h) continue;
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int ix = xi * g.SW - g.PL + kx * g.DW;
                            if ((uint)ix >= (uint)w) continue;
                            int i = (p * h + iy) * w + ix;
                            if (!max) ds[i] += share;
                            else if (xs[i] == ys[o])
                            {
                                ds[i] += gs[o];
                                done = true;
                                break;
                            }
                        }
                    }
                }
        return [dx];
    }
}

/// <summary>GlobalAveragePool / GlobalMaxPool: [N, C, spatial...] to [N, C, 1, ...].</summary>
internal sealed class GlobalPoolOp(bool max) : OnnxOp
{
    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
        if (x.Rank < 3) throw new InvalidDataException($"Global pooling needs [N, C, spatial...], got {x.ShapeText}.");
        int[] shape = T.Shape(x);
        int nc = shape[0] * shape[1], s = x.Length / Math.Max(nc, 1);
        for (int i = 2; i < shape.Length; i++) shape[i] = 1;
        Tensor y = T.Rent(context, shape);
        var xs = x.Span;
        var ys = y.Span;
        for (int p = 0; p < nc; p++)
        {
            // Vector sums and maxima per plane (a NaN stays NaN, as MathF.Max keeps it); an empty plane is -inf or NaN.
            var plane = xs.Slice(p * s, s);
            ys[p] = s == 0 ? (max ? float.NegativeInfinity : float.NaN) : max ? TensorPrimitives.Max(plane) : TensorPrimitives.Sum(plane) / s;
        }
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!, y = outputs[0], dy = outputGradients[0]!;
        int nc = x.Dim(0) * x.Dim(1), s = x.Length / Math.Max(nc, 1);
        Tensor dx = T.New(context, T.Shape(x));
        var xs = x.Span;
        var ys = y.Span;
        var gs = dy.Span;
        var ds = dx.Span;
        for (int p = 0; p < nc; p++)
            for (int i = 0; i < s; i++)
            {
                if (!max) ds[p * s + i] = gs[p] / s;
                else if (xs[p * s + i] == ys[p])
                {
                    ds[p * s + i] = gs[p];
                    break;
                }
            }
        return [dx];
    }
}
