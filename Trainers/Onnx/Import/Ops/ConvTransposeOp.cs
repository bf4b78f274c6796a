using MlPipelines.Engine;

namespace MlPipelines.Trainers.Onnx.Import.Ops;

/// <summary>
/// ConvTranspose over 1-D or 2-D inputs (strides, dilations, pads, output_padding, output_shape, auto_pad, group): each
/// input pixel scatters its kernel-weighted values into the output; weight [C, O / group, kH, kW] and bias are trainable.
/// </summary>
internal sealed class ConvTransposeOp(NodeAttributes a) : OnnxOp
{
    public override IReadOnlyList<int> WeightInputs => [1, 2];

    private sealed record Geometry(int N, int C, int H, int W, int O, int OG, int CG, int KH, int KW, int SH, int SW, int DH, int DW, int PT, int PL, int OH, int OW);

    private Geometry Plan(Tensor x, Tensor w)
    {
        int rank = x.Rank;
        if (rank is not (3 or 4) || w.Rank != rank) throw new NotSupportedException($"{a.Where}: only 1-D and 2-D transposed convolutions are supported (input rank {rank}).");
        int sr = rank - 2;
        int groups = (int)a.Int("group", 1);
        int n = x.Dim(0), c = x.Dim(1), h = rank == 4 ? x.Dim(2) : 1, wd = x.Dim(-1);
        if (groups < 1 || w.Dim(0) != c || c % groups != 0) throw a.Invalid($"weight {w.ShapeText} and group {groups} do not fit input {x.ShapeText}.");
        int og = w.Dim(1), o = og * groups, cg = c / groups;
        int kh = rank == 4 ? w.Dim(2) : 1, kw = w.Dim(-1);
        long[] strides = a.Ints("strides") ?? [.. Enumerable.Repeat(1L, sr)];
        long[] dil = a.Ints("dilations") ?? [.. Enumerable.Repeat(1L, sr)];
        long[] outPad = a.Ints("output_padding") ?? new long[sr];
        long[]? outShape = a.Ints("output_shape");
        long[] pads = a.Ints("pads") ?? new long[2 * sr];
        if (strides.Length != sr || dil.Length != sr || outPad.Length != sr || pads.Length != 2 * sr || (outShape is not null && outShape.Length != sr))
            throw a.Invalid("strides, dilations, output_padding, output_shape or pads have the wrong length.");
        if (strides.Any(v => v < 1 || v > 65536) || dil.Any(v => v < 1 || v > 65536) || pads.Any(v => v < 0 || v > 65536) || outPad.Any(v => v < 0 || v > 65536))
            throw a.Invalid("a stride, dilation, pad or output padding is out of range.");
        int[] input = sr == 2 ? [h, wd] : [wd];
        int[] kernel = sr == 2 ? [kh, kw] : [kw];
        var begin = new int[sr];
        var size = new int[sr];
        string autoPad = a.String("auto_pad", "NOTSET");
        for (int d = 0; d < sr; d++)
        {
            long full = strides[d] * (input[d] - 1) + outPad[d] + (kernel[d] - 1) * dil[d] + 1;
            if (outShape is not null || autoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                long target = outShape is not null ? outShape[d] : input[d] * strides[d];
                long total = Math.Max(0, full - target);
                begin[d] = (int)(autoPad == "SAME_UPPER" ? total / 2 : total - total / 2);
                size[d] = (int)target;
            }
            else
            {
                long s = full - pads[d] - pads[d + sr];
                if (s < 0) throw a.Invalid("the pads exceed the output.");
                begin[d] = autoPad == "VALID" ? 0 : (int)pads[d];
                size[d] = (int)(autoPad == "VALID" ? full : s);
            }
        }
        return sr == 2
            ? new Geometry(n, c, h, wd, o, og, cg, kh, kw, (int)strides[0], (int)strides[1], (int)dil[0], (int)dil[1], begin[0], begin[1], size[0], size[1])
            : new Geometry(n, c, 1, wd, o, og, cg, 1, kw, 1, (int)strides[0], 1, (int)dil[0], 0, begin[0], 1, size[0]);
    }

    /// <summary>Visits every (input index, weight index, output index) triple inside the output.</summary>
    private static void Walk(Geometry g, Action<int, int, int> visit)
    {
        for (int n = 0; n < g.N; n++)
            for (int ci = 0; ci < g.C; ci++)
            {
                int grp = ci / g.CG;
                for (int iy = 0; iy < g.H; iy++)
                    for (int ix = 0; ix < g.W; ix++)
                    {
                        int xi = ((n * g.C + ci) * g.H + iy) * g.W + ix;
                        for (int oc = 0; oc < g.OG; oc++)
                        {
                            int o = grp * g.OG + oc;
                            for (int ky = 0; ky < g.KH; ky++)
                            {
                                int oy = iy * g.SH - g.PT + ky * g.DH;
                                if ((uint)oy >= (uint)g.OH) continue;
                                for (int kx = 0; kx < g.KW; kx++)
                                {
                                    int ox = ix * g.SW - g.PL + kx * g.DW;
                                    if ((uint)ox >= (uint)g.OW) continue;
                                    visit(xi, ((ci * g.OG + oc) * g.KH + ky) * g.KW + kx, ((n * g.O + o) * g.OH + oy) * g.OW + ox);
                                }
                            }
                        }
                    }
            }
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!, w = inputs[1]!;
        Tensor? b = inputs.Length > 2 ? inputs[2] : null;
        Geometry g = Plan(x, w);
        if (b is not null && b.Length != g.O) throw a.Invalid($"bias has {b.Length} values for {g.O} output channels.");
        Tensor y = T.New(context, x.Rank == 4 ? [g.N, g.O, g.OH, g.OW] : [g.N, g.O, g.OW]);
        float[] xs = x.Span.ToArray(), ws = w.Span.ToArray();
        var ys = new float[y.Length];
        if (b is not null)
            for (int i = 0; i < ys.Length; i++) ys[i] = b.Span[i / (g.OH * g.OW) % g.O];
        Walk(g, (xi, wi, yi) => ys[yi] += xs[xi] * ws[wi]);
        ys.CopyTo(y.Span);
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!, w = inputs[1]!;
        Tensor? b = inputs.Length > 2 ? inputs[2] : null;
        Geometry g = Plan(x, w);
        float[] xs = x.Span.ToArray(), ws = w.Span.ToArray(), gs = outputGradients[0]!.Span.ToArray();
        var dx = new float[x.Length];
        var dw = new float[w.Length];
        Walk(g, (xi, wi, yi) =>
        {
            dx[xi] += gs[yi] * ws[wi];
            dw[wi] += gs[yi] * xs[xi];
        });
        var r = new Tensor?[inputs.Length];
        r[0] = new Tensor(dx, T.Shape(x));
        r[1] = new Tensor(dw, T.Shape(w));
        if (b is not null)
        {
            var db = new float[b.Length];
            for (int i = 0; i < gs.Length; i++) db[i / (g.OH * g.OW) % g.O] += gs[i];
            r[2] = new Tensor(db, T.Shape(b));
        }
        return r;
    }
}
