using MlPipelines.Engine;

namespace MlPipelines.Trainers.Onnx.Import.Ops;

/// <summary>Pad in constant, reflect or edge mode (pads/value attributes before opset 11, inputs after; axes from opset 18).</summary>
internal sealed class PadOp(NodeAttributes a) : OnnxOp
{
    private readonly string _mode = a.String("mode", "constant");

    private (int[] Shape, int[] Map, float Value) Plan(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
        int rank = x.Rank;
        long[] pads;
        float value;
        long[]? axes = null;
        if (a.Opset < 11)
        {
            pads = a.Ints(a.Opset < 2 ? "paddings" : "pads") ?? throw a.Invalid("pads are missing.");
            value = a.Float("value", 0f);
        }
        else
        {
            pads = T.Longs(inputs.Length > 1 && inputs[1] is { } p ? p : throw a.Invalid("pads are missing."));
            value = inputs.Length > 2 && inputs[2] is { Length: > 0 } v ? v.Span[0] : 0f;
            axes = inputs.Length > 3 && inputs[3] is { } ax ? T.Longs(ax) : null;
        }
        int[] ax2 = axes is null ? [.. Enumerable.Range(0, rank)] : [.. axes.Select(v => T.Axis(v, rank, a.Where))];
        if (pads.Length != 2 * ax2.Length) throw a.Invalid($"{pads.Length} pads for {ax2.Length} axes.");
        var begin = new long[rank];
        var end = new long[rank];
        for (int k = 0; k < ax2.Length; k++) { begin[ax2[k]] = pads[k]; end[ax2[k]] = pads[k + ax2.Length]; }
        int[] inShape = T.Shape(x);
        var outShape = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            long o = inShape[d] + begin[d] + end[d];
            if (o < 0 || o > context.MaxElements) throw a.Invalid($"padded size {o} of dimension {d} is invalid.");
            outShape[d] = (int)o;
        }
        T.New(context, outShape);
        // For each dimension, each output coordinate's source coordinate (-1: the constant).
        var coords = new int[rank][];
        for (int d = 0; d < rank; d++)
        {
            coords[d] = new int[outShape[d]];
            int n = inShape[d];
            for (int o = 0; o < outShape[d]; o++)
            {
                long i = o - begin[d];
                if (i >= 0 && i < n) { coords[d][o] = (int)i; continue; }
                coords[d][o] = _mode switch
                {
                    "constant" => -1,
                    "edge" => n == 0 ? -1 : (int)Math.Clamp(i, 0, n - 1),
                    "reflect" => n == 1 ? 0 : Reflect(i, n),
                    "wrap" => n == 0 ? -1 : (int)(((i % n) + n) % n),
                    _ => throw new NotSupportedException($"{a.Where}: pad mode '{_mode}' is not supported."),
                };
            }
        }
        int[] strides = T.Strides(inShape);
        int total = (int)T.Count(outShape);
        var map = new int[total];
        var idx = new int[rank];
        for (int f = 0; f < total; f++)
        {
            int src = 0;
            for (int d = 0; d < rank; d++)
            {
                int c = coords[d][idx[d]];
                if (c < 0) { src = -1; break; }
                src += c * strides[d];
            }
            map[f] = src;
            for (int d = rank - 1; d >= 0; d--) { if (++idx[d] < outShape[d]) break; idx[d] = 0; }
        }
        return (outShape, map, value);
    }

    private static int Reflect(long i, int n)
    {
        long period = 2L * (n - 1);
        long m = ((i % period) + period) % period;
        return (int)(m < n ? m : period - m);
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        var (shape, map, value) = Plan(inputs, context);
        Tensor y = T.New(context, shape);
        var s = inputs[0]!.Span;
        for (int i = 0; i < map.Length; i++) y.Span[i] = map[i] < 0 ? value : s[map[i]];
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        var (_, map, _) = Plan(inputs, context);
        Tensor dx = T.New(context, T.Shape(inputs[0]!));
        var g = outputGradients[0]!.Span;
        for (int i = 0; i < map.Length; i++) if (map[i] >= 0) dx.Span[map[i]] += g[i];
        var r = new Tensor?[inputs.Length];
        r[0] = dx;
        return r;
    }
}

/// <summary>ReduceMean/Max/Min/Sum over axes (attribute, or input from opset 13 for Sum and 18 for the others), keepdims.</summary>
internal sealed class ReduceOp(NodeAttributes a, string kind) : OnnxOp
{
    private (int[] OutShape, int[] Map, int Count) Plan(Tensor?[] inputs)
    {
        Tensor x = inputs[0]!;
        int since = kind == "Sum" ? 13 : 18;
        long[]? axes = a.Opset >= since ? (inputs.Length > 1 && inputs[1] is { } t ? T.Longs(t) : null) : a.Ints("axes");
        bool noop = a.Int("noop_with_empty_axes", 0) != 0;
        bool keep = a.Int("keepdims", 1) != 0;
        var set = axes is null || axes.Length == 0
            ? (noop ? [] : new HashSet<int>(Enumerable.Range(0, x.Rank)))
            : new HashSet<int>(axes.Select(v => T.Axis(v, x.Rank, a.Where)));
        int[] keptShape = [.. Enumerable.Range(0, x.Rank).Select(d => set.Contains(d) ? 1 : x.Dim(d))];
        int[] outShape = keep ? keptShape : [.. Enumerable.Range(0, x.Rank).Where(d => !set.Contains(d)).Select(d => x.Dim(d))];
        int[] map = T.BroadcastMap(keptShape, T.Shape(x));
        int count = (int)(x.Length / Math.Max(1, T.Count(keptShape)));
        return (outShape, map, count);
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
        var (outShape, map, count) = Plan(inputs);
        Tensor y = T.New(context, outShape);
        var s = x.Span;
        var d = y.Span;
        if (kind is "Max" or "Min") d.Fill(kind == "Max" ? float.NegativeInfinity : float.PositiveInfinity);
        for (int i = 0; i < s.Length; i++)
            d[map[i]] = kind switch { "Max" => MathF.Max(d[map[i]], s[i]), "Min" => MathF.Min(d[map[i]], s[i]), _ => d[map[i]] + s[i] };
        if (kind == "Mean") for (int i = 0; i < d.Length; i++) d[i] /= count;
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!, y = outputs[0];
        var (_, map, count) = Plan(inputs);
        Tensor dx = T.New(context, T.Shape(x));
        var s = x.Span;
        var ys = y.Span;
        var g = outputGradients[0]!.Span;
        var d = dx.Span;
        var taken = kind is "Max" or "Min" ? new bool[y.Length] : null;
        for (int i = 0; i < s.Length; i++)
        {
            int o = map[i];
            if (taken is null) d[i] = kind == "Mean" ? g[o] / count : g[o];
            else if (!taken[o] && s[i] == ys[o]) { d[i] = g[o]; taken[o] = true; }
        }
        var r = new Tensor?[inputs.Length];
        r[0] = dx;
        return r;
    }
}

/// <summary>
/// Resize / Upsample in nearest or linear mode, separable per dimension: each dimension maps output coordinates to one
/// (nearest) or two (linear) weighted source coordinates, applied one dimension after another.
/// </summary>
internal sealed class ResizeOp(NodeAttributes a, bool upsample) : OnnxOp
{
    private readonly string _mode = a.String("mode", "nearest");

    private List<(int Dim, int OutSize, int[] Src, float[] W, int Taps)> Plan(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
        float[]? scales = null;
        long[]? sizes = null;
        string transform, nearestMode;
        if (upsample || a.Opset < 11)
        {
            scales = upsample && a.Opset < 9 ? a.Floats("scales") : inputs.Length > 1 && inputs[1] is { } sc ? [.. sc.Span] : null;
            transform = "asymmetric";
            nearestMode = "floor";
        }
        else
        {
            if (inputs.Length > 2 && inputs[2] is { Length: > 0 } sc) scales = [.. sc.Span];
            if (inputs.Length > 3 && inputs[3] is { Length: > 0 } sz) sizes = T.Longs(sz);
            transform = a.String("coordinate_transformation_mode", "half_pixel");
            nearestMode = a.String("nearest_mode", "round_prefer_floor");
            if (a.Has("axes")) throw new NotSupportedException($"{a.Where}: the axes attribute is not supported.");
            if (a.Int("keep_aspect_ratio_policy", 0) != 0 || a.String("keep_aspect_ratio_policy", "stretch") != "stretch")
                throw new NotSupportedException($"{a.Where}: keep_aspect_ratio_policy is not supported.");
        }
        if (_mode is not ("nearest" or "linear" or "bilinear")) throw new NotSupportedException($"{a.Where}: mode '{_mode}' is not supported (nearest and linear are).");
        if (transform == "tf_crop_and_resize") throw new NotSupportedException($"{a.Where}: tf_crop_and_resize is not supported.");
        if (scales is null && sizes is null) throw a.Invalid("neither scales nor sizes are given.");
        if ((scales ?? [.. sizes!.Select(v => (float)v)]).Length != x.Rank) throw a.Invalid($"scales/sizes do not have {x.Rank} values.");
        var plan = new List<(int, int, int[], float[], int)>();
        bool linear = _mode != "nearest";
        for (int d = 0; d < x.Rank; d++)
        {
            int n = x.Dim(d);
            long outSize = sizes is not null ? sizes[d] : (long)Math.Floor(n * (double)scales![d]);
            if (outSize < 0 || outSize > context.MaxElements || (scales is not null && !(scales[d] > 0))) throw a.Invalid($"output size {outSize} of dimension {d} is invalid.");
            double scale = sizes is not null ? (double)outSize / n : scales![d];
            // The spec's length_resized is input * scale (not floored) when scales are given.
            double resized = sizes is not null ? outSize : n * scale;
            if (outSize == n && scale == 1.0) continue;
            int taps = linear ? 2 : 1;
            var src = new int[outSize * taps];
            var w = new float[outSize * taps];
            for (int o = 0; o < outSize; o++)
            {
                double c = transform switch
                {
                    "half_pixel" => (o + 0.5) / scale - 0.5,
                    "pytorch_half_pixel" => resized > 1 ? (o + 0.5) / scale - 0.5 : 0,
                    "align_corners" => resized > 1 ? o * (n - 1.0) / (resized - 1) : 0,
                    "tf_half_pixel_for_nn" => (o + 0.5) / scale,
                    "asymmetric" => o / scale,
                    "half_pixel_symmetric" => (n / 2.0) * (1 - resized / (scale * n)) + (o + 0.5) / scale - 0.5,
                    _ => throw new NotSupportedException($"{a.Where}: coordinate_transformation_mode '{transform}' is not supported."),
                };
                if (!linear)
                {
                    double r = nearestMode switch
                    {
                        "round_prefer_floor" => c - Math.Floor(c) == 0.5 ? Math.Floor(c) : Math.Round(c),
                        "round_prefer_ceil" => c - Math.Floor(c) == 0.5 ? Math.Ceiling(c) : Math.Round(c),
                        "floor" => Math.Floor(c),
                        "ceil" => Math.Ceiling(c),
                        _ => throw a.Invalid($"nearest_mode '{nearestMode}' is unknown."),
                    };
                    src[o] = (int)Math.Clamp(r, 0, n - 1);
                    w[o] = 1f;
                }
                else
                {
                    c = Math.Clamp(c, 0, n - 1);
                    int i0 = (int)Math.Floor(c), i1 = Math.Min(i0 + 1, n - 1);
                    float f = (float)(c - i0);
                    (src[2 * o], src[2 * o + 1], w[2 * o], w[2 * o + 1]) = (i0, i1, 1f - f, f);
                }
            }
            plan.Add((d, (int)outSize, src, w, taps));
        }
        return plan;
    }

    private static Tensor Along(Tensor x, int dim, int outSize, int[] src, float[] w, int taps, OpContext context, bool transpose)
    {
        int[] inShape = T.Shape(x);
        int[] outShape = (int[])inShape.Clone();
        int n = inShape[dim];
        int m = transpose ? src.Length / taps : outSize;
        if (transpose) outShape[dim] = outSize; else outShape[dim] = m;
        Tensor y = T.New(context, outShape);
        int outer = (int)T.Count(inShape.AsSpan(0, dim)), inner = (int)T.Count(inShape.AsSpan(dim + 1));
        var s = x.Span;
        var d = y.Span;
        int outDim = outShape[dim];
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < m; k++)
                for (int t = 0; t < taps; t++)
                {
                    float wt = w[k * taps + t];
                    int j = src[k * taps + t];
                    if (wt == 0f) continue;
                    for (int i = 0; i < inner; i++)
                    {
                        if (!transpose) d[(o * outDim + k) * inner + i] += wt * s[(o * n + j) * inner + i];
                        else d[(o * outDim + j) * inner + i] += wt * s[(o * n + k) * inner + i];
                    }
                }
        return y;
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor y = inputs[0]!;
        foreach (var (dim, outSize, src, w, taps) in Plan(inputs, context)) y = Along(y, dim, outSize, src, w, taps, context, false);
        return [y == inputs[0] ? y.Clone() : y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        var plan = Plan(inputs, context);
        Tensor g = outputGradients[0]!;
        for (int p = plan.Count - 1; p >= 0; p--)
        {
            var (dim, _, src, w, taps) = plan[p];
            g = Along(g, dim, inputs[0]!.Dim(dim), src, w, taps, context, true);
        }
        var r = new Tensor?[inputs.Length];
        r[0] = g;
        return r;
    }
}
