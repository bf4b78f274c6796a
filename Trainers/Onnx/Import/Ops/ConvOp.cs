using MlPipelines.Engine;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Trainers.Onnx.Import.Ops;

/// <summary>Window geometry of Conv and the pools over 1-D or 2-D spatial inputs (1-D runs as height 1).</summary>
internal sealed class Window2d
{
    public int KH, KW, SH = 1, SW = 1, DH = 1, DW = 1, PT, PL, PB, PR;
    public bool CeilMode;

    /// <summary>Reads kernel_shape/strides/dilations/pads/auto_pad for a spatial rank of 1 or 2 and the input's spatial size.</summary>
    public static Window2d From(NodeAttributes a, long[] kernel, int h, int w, int spatialRank)
    {
        if (spatialRank is < 1 or > 2) throw new NotSupportedException($"{a.Where}: only 1-D and 2-D spatial inputs are supported (got {spatialRank}-D).");
        if (kernel.Length != spatialRank) throw a.Invalid($"kernel_shape has {kernel.Length} values for {spatialRank} spatial dimensions.");
        long[] strides = a.Ints("strides") ?? [.. Enumerable.Repeat(1L, spatialRank)];
        long[] dil = a.Ints("dilations") ?? [.. Enumerable.Repeat(1L, spatialRank)];
        long[] pads = a.Ints("pads") ?? new long[2 * spatialRank];
        if (strides.Length != spatialRank || dil.Length != spatialRank || pads.Length != 2 * spatialRank) throw a.Invalid("strides, dilations or pads have the wrong length.");
        if (kernel.Any(k => k < 1 || k > 65536) || strides.Any(s => s < 1 || s > 65536) || dil.Any(d => d < 1 || d > 65536) || pads.Any(p => p < 0 || p > 65536))
            throw a.Invalid("kernel, stride, dilation or pad is out of range.");
        var g = new Window2d { CeilMode = a.Int("ceil_mode", 0) != 0 };
        if (spatialRank == 1)
        {
            (g.KH, g.SH, g.DH) = (1, 1, 1);
            (g.KW, g.SW, g.DW, g.PL, g.PR) = ((int)kernel[0], (int)strides[0], (int)dil[0], (int)pads[0], (int)pads[1]);
        }
        else
        {
            (g.KH, g.KW, g.SH, g.SW, g.DH, g.DW) = ((int)kernel[0], (int)kernel[1], (int)strides[0], (int)strides[1], (int)dil[0], (int)dil[1]);
            (g.PT, g.PL, g.PB, g.PR) = ((int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3]);
        }
        string autoPad = a.String("auto_pad", "NOTSET");
        if (autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            static (int, int) Same(int size, int k, int s, int d, bool upper)
            {
                int outSize = (size + s - 1) / s;
                int total = Math.Max(0, (outSize - 1) * s + (k - 1) * d + 1 - size);
                return upper ? (total / 2, total - total / 2) : (total - total / 2, total / 2);
            }
            bool upper = autoPad == "SAME_UPPER";
            if (spatialRank == 2) (g.PT, g.PB) = Same(h, g.KH, g.SH, g.DH, upper);
            (g.PL, g.PR) = Same(w, g.KW, g.SW, g.DW, upper);
        }
        else if (autoPad == "VALID") (g.PT, g.PL, g.PB, g.PR) = (0, 0, 0, 0);
        else if (autoPad != "NOTSET") throw a.Invalid($"auto_pad '{autoPad}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID.");
        return g;
    }

    public static int OutSize(int size, int k, int s, int d, int p0, int p1, bool ceil)
    {
        int span = size + p0 + p1 - ((k - 1) * d + 1);
        if (span < 0) throw new InvalidDataException($"Window {k} (dilation {d}) does not fit input size {size} with padding {p0}+{p1}.");
        int o = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (o - 1) * s >= size + p0) o--;
        return o;
    }

    public int OutH(int h) => OutSize(h, KH, SH, DH, PT, PB, CeilMode);

    public int OutW(int w) => OutSize(w, KW, SW, DW, PL, PR, CeilMode);
}

/// <summary>
/// Conv (1-D or 2-D, groups, dilations, asymmetric pads, auto_pad); weight and bias are trainable. 2-D convolutions run on
/// the engine's kernels through a private <see cref="Conv2d"/> that shares the graph's weight tensors; 1-D ones use
/// direct loops.
/// </summary>
internal sealed class ConvOp(NodeAttributes a) : OnnxOp
{
    private Conv2d? _engine;
    private string _engineKey = "";

    public override IReadOnlyList<int> WeightInputs => [1, 2];

    /// <summary>The engine convolution over the node's current weight and bias tensors (shared, not copied: a graph's
    /// parameters keep their tensors from step to step, so it is rebuilt only when they or the geometry change).</summary>
    private Conv2d Engine(Window2d g, int c, int o, int groups, Tensor w, Tensor? b)
    {
        string key = $"{c},{o},{groups},{g.KH},{g.KW},{g.SH},{g.SW},{g.PT},{g.PL},{g.PB},{g.PR},{g.DH},{g.DW}";
        if (_engine is null || key != _engineKey || !ReferenceEquals(_engine.Weight.Value, w) || !ReferenceEquals(_engine.Bias?.Value, b))
        {
            _engine = Conv2d.Sharing(w, b, (g.SH, g.SW), new Padding2d(g.PT, g.PL, g.PB, g.PR), (g.DH, g.DW), groups);
            _engineKey = key;
        }
        return _engine;
    }

    private (Window2d G, int N, int C, int H, int W, int O, int CG, int OH, int OW, int Groups) Geometry(Tensor x, Tensor w)
    {
        int rank = x.Rank;
        if (rank is not (3 or 4) || w.Rank != rank) throw new NotSupportedException($"{a.Where}: only 1-D and 2-D convolutions are supported (input rank {rank}, weight rank {w.Rank}).");
        int n = x.Dim(0), c = x.Dim(1), h = rank == 4 ? x.Dim(2) : 1, wd = x.Dim(rank - 1);
        long[] kernel = a.Ints("kernel_shape") ?? [.. w.Shape[2..].ToArray().Select(v => (long)v)];
        var g = Window2d.From(a, kernel, h, wd, rank - 2);
        if (g.KH != (rank == 4 ? w.Dim(2) : 1) || g.KW != w.Dim(rank - 1)) throw a.Invalid("kernel_shape does not match the weight.");
        int groups = (int)a.Int("group", 1);
        int o = w.Dim(0), cg = w.Dim(1);
        if (groups < 1 || cg * groups != c || o % groups != 0)
            throw a.Invalid($"weight {w.ShapeText} and group {groups} do not fit input {x.ShapeText}.");
        g.CeilMode = false;
        return (g, n, c, h, wd, o, cg, g.OutH(h), g.OutW(wd), groups);
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!, w = inputs[1]!;
        Tensor? b = inputs.Length > 2 ? inputs[2] : null;
        var (g, n, c, h, wd, o, cg, oh, ow, groups) = Geometry(x, w);
        if (b is not null && b.Length != o) throw a.Invalid($"bias has {b.Length} values for {o} output channels.");
        if ((long)n * o * oh * ow > context.MaxElements) throw a.Invalid($"the output [{n}, {o}, {oh}, {ow}] exceeds the limit of {context.MaxElements} elements.");
        if (x.Rank == 4) return [Engine(g, c, o, groups, w, b).Forward(x, context.Step)];
        Tensor y = T.New(context, [n, o, ow]);
        var xs = x.Span;
        var ws = w.Span;
        var ys = y.Span;
        int og = o / groups;
        for (int ni = 0; ni < n; ni++)
            for (int oc = 0; oc < o; oc++)
            {
                int grp = oc / og;
                float bias = b is null ? 0f : b.Span[oc];
                for (int yi = 0; yi < oh; yi++)
                    for (int xi = 0; xi < ow; xi++)
                    {
                        float acc = bias;
                        for (int ic = 0; ic < cg; ic++)
                        {
                            int xBase = (ni * c + grp * cg + ic) * h * wd, wBase = (oc * cg + ic) * g.KH * g.KW;
                            for (int ky = 0; ky < g.KH; ky++)
                            {
                                int iy = yi * g.SH - g.PT + ky * g.DH;
                                if ((uint)iy >= (uint)h) continue;
                                for (int kx = 0; kx < g.KW; kx++)
                                {
                                    int ix = xi * g.SW - g.PL + kx * g.DW;
                                    if ((uint)ix >= (uint)wd) continue;
                                    acc += xs[xBase + iy * wd + ix] * ws[wBase + ky * g.KW + kx];
                                }
                            }
                        }
                        ys[((ni * o + oc) * oh + yi) * ow + xi] = acc;
                    }
            }
        return [y];
    }

    /// <summary>
    /// Inference of a 2-D convolution followed by an eval batch norm and/or an activation, applied as the engine stores each
    /// output plane (<see cref="Conv2d.ForwardNormalized"/>).
    /// </summary>
    public Tensor ForwardFused(Tensor?[] inputs, OpContext context, BatchNorm2d? norm, ActivationLayer? activation) =>
        ForwardFused(inputs, context, norm, activation, null, false);

    /// <summary>
    /// <see cref="ForwardFused(Tensor?[], OpContext, BatchNorm2d?, ActivationLayer?)"/> ending a residual block:
    /// relu(norm(conv(x)) + <paramref name="residual"/>), or without the ReLU (<see cref="Conv2d.ForwardResidual"/>).
    /// </summary>
    public Tensor ForwardResidual(Tensor?[] inputs, OpContext context, BatchNorm2d? norm, Tensor residual, bool relu) =>
        ForwardFused(inputs, context, norm, null, residual, relu);

    /// <summary>Whether this convolution of <paramref name="inputs"/> gives an output of <paramref name="shape"/> (a 2-D one).</summary>
    public bool OutputShapeIs(Tensor?[] inputs, ReadOnlySpan<int> shape)
    {
        if (inputs[0] is not { Rank: 4 } x || inputs[1] is not { Rank: 4 } w || shape.Length != 4) return false;
        var (_, n, _, _, _, o, _, oh, ow, _) = Geometry(x, w);
        return shape[0] == n && shape[1] == o && shape[2] == oh && shape[3] == ow;
    }

    private Tensor ForwardFused(Tensor?[] inputs, OpContext context, BatchNorm2d? norm, ActivationLayer? activation, Tensor? residual, bool relu)
    {
        Tensor x = inputs[0]!, w = inputs[1]!;
        Tensor? b = inputs.Length > 2 ? inputs[2] : null;
        var (g, n, c, _, _, o, _, oh, ow, groups) = Geometry(x, w);
        if (x.Rank != 4) throw new InvalidOperationException("Only 2-D convolutions fuse.");
        if (b is not null && b.Length != o) throw a.Invalid($"bias has {b.Length} values for {o} output channels.");
        if ((long)n * o * oh * ow > context.MaxElements) throw a.Invalid($"the output [{n}, {o}, {oh}, {ow}] exceeds the limit of {context.MaxElements} elements.");
        Conv2d conv = Engine(g, c, o, groups, w, b);
        return residual is null ? conv.ForwardNormalized(x, context.Step, norm, activation) : conv.ForwardResidual(x, context.Step, norm, residual, relu);
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!, w = inputs[1]!, dy = outputGradients[0]!;
        Tensor? b = inputs.Length > 2 ? inputs[2] : null;
        var (g, n, c, h, wd, o, cg, oh, ow, groups) = Geometry(x, w);
        if (x.Rank == 4)
        {
            Conv2d conv = Engine(g, c, o, groups, w, b);
            conv.ZeroGrad();
            Tensor dX = conv.Backward(dy, context.Step);
            var result = new Tensor?[inputs.Length];
            (result[0], result[1]) = (dX, conv.Weight.Grad.Clone());
            if (b is not null) result[2] = conv.Bias!.Grad.Clone();
            return result;
        }
        Tensor dx = T.New(context, T.Shape(x)), dw = T.New(context, T.Shape(w));
        Tensor? db = b is null ? null : T.New(context, T.Shape(b));
        var xs = x.Span;
        var ws = w.Span;
        var gs = dy.Span;
        var dxs = dx.Span;
        var dws = dw.Span;
        int og = o / groups;
        for (int ni = 0; ni < n; ni++)
            for (int oc = 0; oc < o; oc++)
            {
                int grp = oc / og;
                for (int yi = 0; yi < oh; yi++)
                    for (int xi = 0; xi < ow; xi++)
                    {
                        float gv = gs[((ni * o + oc) * oh + yi) * ow + xi];
                        if (db is not null) db.Span[oc] += gv;
                        if (gv == 0f) continue;
                        for (int ic = 0; ic < cg; ic++)
                        {
                            int xBase = (ni * c + grp * cg + ic) * h * wd, wBase = (oc * cg + ic) * g.KH * g.KW;
                            for (int ky = 0; ky < g.KH; ky++)
                            {
                                int iy = yi * g.SH - g.PT + ky * g.DH;
                                if ((uint)iy >= (uint)h) continue;
                                for (int kx = 0; kx < g.KW; kx++)
                                {
                                    int ix = xi * g.SW - g.PL + kx * g.DW;
                                    if ((uint)ix >= (uint)wd) continue;
                                    dxs[xBase + iy * wd + ix] += gv * ws[wBase + ky * g.KW + kx];
                                    dws[wBase + ky * g.KW + kx] += gv * xs[xBase + iy * wd + ix];
                                }
                            }
                        }
                    }
            }
        return b is null ? (inputs.Length > 2 ? [dx, dw, null] : [dx, dw]) : [dx, dw, db];
    }
}
