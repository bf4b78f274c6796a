using MlPipelines.Engine;

namespace MlPipelines.Trainers.Onnx.Import.Ops;

/// <summary>Ops that only change the shape (Flatten, Reshape, Squeeze, Unsqueeze): the output is a view, the gradient reshaped back.</summary>
internal sealed class ReshapeOp(NodeAttributes a, Func<Tensor?[], int[]> shapeOf) : OnnxOp
{
    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
        int[] shape = shapeOf(inputs);
        if (T.Count(shape) != x.Length) throw a.Invalid($"cannot reshape {x.ShapeText} to [{string.Join(", ", shape)}].");
        return [x.Reshape(shape)];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        var r = new Tensor?[inputs.Length];
        r[0] = outputGradients[0]!.Reshape(T.Shape(inputs[0]!));
        return r;
    }

    public static ReshapeOp Flatten(NodeAttributes a) => new(a, inputs =>
    {
        Tensor x = inputs[0]!;
        long axis = a.Int("axis", 1);
        int ax = (int)(axis < 0 ? axis + x.Rank : axis);
        if (ax < 0 || ax > x.Rank) throw a.Invalid($"axis {axis} is out of range for rank {x.Rank}.");
        int outer = (int)T.Count(x.Shape[..ax]);
        return [outer, outer == 0 ? 0 : x.Length / outer];
    });

    public static ReshapeOp Reshape(NodeAttributes a) => new(a, inputs =>
    {
        Tensor x = inputs[0]!;
        long[] spec = a.Opset < 5 ? a.Ints("shape") ?? throw a.Invalid("shape attribute is missing.")
            : T.Longs(inputs.Length > 1 && inputs[1] is { } s ? s : throw a.Invalid("shape input is missing."));
        bool allowZero = a.Int("allowzero", 0) != 0;
        var shape = new int[spec.Length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < spec.Length; i++)
        {
            long v = spec[i];
            if (v == 0 && !allowZero)
            {
                if (i >= x.Rank) throw a.Invalid($"shape value 0 at {i} has no input dimension to copy.");
                v = x.Dim(i);
            }
            if (v == -1)
            {
                if (infer >= 0) throw a.Invalid("more than one -1 in the shape.");
                infer = i;
                continue;
            }
            if (v < 0 || v > int.MaxValue) throw a.Invalid($"shape value {v} is invalid.");
            shape[i] = (int)v;
            known *= v;
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Length % known != 0) throw a.Invalid($"cannot infer -1 reshaping {x.ShapeText}.");
            shape[infer] = (int)(x.Length / known);
        }
        return shape;
    });

    private static long[]? Axes(NodeAttributes a, Tensor?[] inputs, int sinceOpset) =>
        a.Opset >= sinceOpset ? (inputs.Length > 1 && inputs[1] is { } t ? T.Longs(t) : null) : a.Ints("axes");

    public static ReshapeOp Squeeze(NodeAttributes a) => new(a, inputs =>
    {
        Tensor x = inputs[0]!;
        long[]? axes = Axes(a, inputs, 13);
        var drop = new HashSet<int>(axes is null ? Enumerable.Range(0, x.Rank).Where(i => x.Dim(i) == 1) : axes.Select(v => T.Axis(v, x.Rank, a.Where)));
        foreach (int d in drop) if (x.Dim(d) != 1) throw a.Invalid($"cannot squeeze dimension {d} of {x.ShapeText}.");
        return [.. Enumerable.Range(0, x.Rank).Where(i => !drop.Contains(i)).Select(i => x.Dim(i))];
    });

    public static ReshapeOp Unsqueeze(NodeAttributes a) => new(a, inputs =>
    {
        Tensor x = inputs[0]!;
        long[] axes = Axes(a, inputs, 13) ?? throw a.Invalid("axes are missing.");
        int rank = x.Rank + axes.Length;
        var add = new HashSet<int>(axes.Select(v => T.Axis(v, rank, a.Where)));
        if (add.Count != axes.Length) throw a.Invalid("axes repeat.");
        var shape = new int[rank];
        int src = 0;
        for (int i = 0; i < rank; i++) shape[i] = add.Contains(i) ? 1 : x.Dim(src++);
        return shape;
    });
}

/// <summary>Transpose with a permutation (reversed dimensions by default).</summary>
internal sealed class TransposeOp(NodeAttributes a) : OnnxOp
{
    private int[] Perm(int rank)
    {
        long[]? p = a.Ints("perm");
        int[] perm = p is null ? [.. Enumerable.Range(0, rank).Reverse()] : [.. p.Select(v => (int)v)];
        if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(v => v < 0 || v >= rank)) throw a.Invalid($"perm [{string.Join(", ", perm)}] does not fit rank {rank}.");
        return perm;
    }

    internal static Tensor Apply(Tensor x, int[] perm, OpContext context)
    {
        int[] inShape = T.Shape(x), inStrides = T.Strides(inShape);
        int[] outShape = [.. perm.Select(p => inShape[p])];
        int[] srcStrides = [.. perm.Select(p => inStrides[p])];
        Tensor y = T.New(context, outShape);
        int[] map = MapStrided(outShape, srcStrides);
        var s = x.Span;
        var d = y.Span;
        for (int i = 0; i < d.Length; i++) d[i] = s[map[i]];
        return y;
    }

    internal static int[] MapStrided(int[] outShape, int[] srcStrides, int start = 0)
    {
        int total = (int)T.Count(outShape), rank = outShape.Length;
        var map = new int[total];
        var idx = new int[rank];
        int cur = start;
        for (int f = 0; f < total; f++)
        {
            map[f] = cur;
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d]++;
                cur += srcStrides[d];
                if (idx[d] < outShape[d]) break;
                cur -= srcStrides[d] * idx[d];
                idx[d] = 0;
            }
        }
        return map;
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context) => [Apply(inputs[0]!, Perm(inputs[0]!.Rank), context)];

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        int[] perm = Perm(inputs[0]!.Rank);
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return [Apply(outputGradients[0]!, inverse, context)];
    }
}

/// <summary>Concat along an axis; the gradient is split back.</summary>
internal sealed class ConcatOp(NodeAttributes a) : OnnxOp
{
    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor[] xs = [.. inputs.Select(i => i ?? throw a.Invalid("an input is missing."))];
        int rank = xs[0].Rank;
        int axis = T.Axis(a.Int("axis", 1), rank, a.Where);
        int[] shape = T.Shape(xs[0]);
        shape[axis] = 0;
        foreach (Tensor x in xs)
        {
            if (x.Rank != rank || Enumerable.Range(0, rank).Any(d => d != axis && x.Dim(d) != xs[0].Dim(d))) throw a.Invalid($"input {x.ShapeText} does not fit {xs[0].ShapeText} on axis {axis}.");
            shape[axis] += x.Dim(axis);
        }
        Tensor y = T.New(context, shape);
        int outer = (int)T.Count(shape.AsSpan(0, axis)), inner = (int)T.Count(shape.AsSpan(axis + 1));
        int offset = 0;
        foreach (Tensor x in xs)
        {
            int block = x.Dim(axis) * inner;
            for (int o = 0; o < outer; o++) x.Span.Slice(o * block, block).CopyTo(y.Span.Slice(o * shape[axis] * inner + offset, block));
            offset += block;
        }
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor dy = outputGradients[0]!;
        int axis = T.Axis(a.Int("axis", 1), dy.Rank, a.Where);
        int outer = (int)T.Count(dy.Shape[..axis]), inner = (int)T.Count(dy.Shape[(axis + 1)..]), total = dy.Dim(axis);
        var r = new Tensor?[inputs.Length];
        int offset = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            Tensor x = inputs[k]!;
            Tensor dx = T.New(context, T.Shape(x));
            int block = x.Dim(axis) * inner;
            for (int o = 0; o < outer; o++) dy.Span.Slice(o * total * inner + offset, block).CopyTo(dx.Span.Slice(o * block, block));
            offset += block;
            r[k] = dx;
        }
        return r;
    }
}

/// <summary>Split along an axis into given sizes (attribute before opset 13, input after; equal parts otherwise).</summary>
internal sealed class SplitOp(NodeAttributes a, int outputs) : OnnxOp
{
    private int[] Sizes(Tensor?[] inputs, int dim)
    {
        long[]? split = a.Opset >= 13 ? (inputs.Length > 1 && inputs[1] is { } s ? T.Longs(s) : null) : a.Ints("split");
        if (split is not null)
        {
            if (split.Length != outputs || split.Any(v => v < 0) || split.Sum() != dim) throw a.Invalid($"split [{string.Join(", ", split)}] does not cover {dim} in {outputs} parts.");
            return [.. split.Select(v => (int)v)];
        }
        int part = (dim + outputs - 1) / outputs;
        return [.. Enumerable.Range(0, outputs).Select(i => Math.Max(0, Math.Min(part, dim - i * part)))];
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
        int axis = T.Axis(a.Int("axis", 0), x.Rank, a.Where);
        int[] sizes = Sizes(inputs, x.Dim(axis));
        int outer = (int)T.Count(x.Shape[..axis]), inner = (int)T.Count(x.Shape[(axis + 1)..]);
        var r = new Tensor[outputs];
        int offset = 0;
        for (int k = 0; k < outputs; k++)
        {
            int[] shape = T.Shape(x);
            shape[axis] = sizes[k];
            r[k] = T.New(context, shape);
            int block = sizes[k] * inner;
            for (int o = 0; o < outer; o++) x.Span.Slice(o * x.Dim(axis) * inner + offset, block).CopyTo(r[k].Span.Slice(o * block, block));
            offset += block;
        }
        return r;
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!;
        int axis = T.Axis(a.Int("axis", 0), x.Rank, a.Where);
        int outer = (int)T.Count(x.Shape[..axis]), inner = (int)T.Count(x.Shape[(axis + 1)..]);
        Tensor dx = T.New(context, T.Shape(x));
        int offset = 0;
        for (int k = 0; k < outputs.Length; k++)
        {
            int block = outputs[k].Dim(axis) * inner;
            if (outputGradients[k] is { } g)
                for (int o = 0; o < outer; o++) g.Span.Slice(o * block, block).CopyTo(dx.Span.Slice(o * x.Dim(axis) * inner + offset, block));
            offset += block;
        }
        var r = new Tensor?[inputs.Length];
        r[0] = dx;
        return r;
    }
}

/// <summary>Slice with starts/ends/axes/steps (attributes before opset 10, inputs after), clamped like numpy.</summary>
internal sealed class SliceOp(NodeAttributes a) : OnnxOp
{
    private (int[] Shape, int[] Strides, int Start) Plan(Tensor?[] inputs)
    {
        Tensor x = inputs[0]!;
        long[] starts, ends;
        long[]? axes, steps = null;
        if (a.Opset < 10)
        {
            starts = a.Ints("starts") ?? throw a.Invalid("starts are missing.");
            ends = a.Ints("ends") ?? throw a.Invalid("ends are missing.");
            axes = a.Ints("axes");
        }
        else
        {
            starts = T.Longs(inputs.Length > 1 && inputs[1] is { } s ? s : throw a.Invalid("starts are missing."));
            ends = T.Longs(inputs.Length > 2 && inputs[2] is { } e ? e : throw a.Invalid("ends are missing."));
            axes = inputs.Length > 3 && inputs[3] is { } ax ? T.Longs(ax) : null;
            steps = inputs.Length > 4 && inputs[4] is { } st ? T.Longs(st) : null;
        }
        axes ??= [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
        steps ??= [.. Enumerable.Repeat(1L, starts.Length)];
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length) throw a.Invalid("starts, ends, axes and steps differ in length.");
        int[] shape = T.Shape(x), baseStrides = T.Strides(shape);
        int[] strides = (int[])baseStrides.Clone();
        int start = 0;
        for (int k = 0; k < starts.Length; k++)
        {
            int d = T.Axis(axes[k], x.Rank, a.Where);
            long dim = shape[d], step = steps[k];
            if (step == 0) throw a.Invalid("a step is 0.");
            long s = starts[k] < 0 ? starts[k] + dim : starts[k], e = ends[k] < 0 ? ends[k] + dim : ends[k];
            if (step > 0) { s = Math.Clamp(s, 0, dim); e = Math.Clamp(e, 0, dim); }
            else { s = Math.Clamp(s, 0, dim - 1); e = Math.Clamp(e, -1, dim - 1); }
            long count = step > 0 ? Math.Max(0, (e - s + step - 1) / step) : Math.Max(0, (s - e + (-step) - 1) / (-step));
            shape[d] = (int)count;
            strides[d] = (int)(baseStrides[d] * step);
            if (count > 0) start += (int)(s * baseStrides[d]);
        }
        return (shape, strides, start);
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        var (shape, strides, start) = Plan(inputs);
        Tensor y = T.New(context, shape);
        if (y.Length == 0) return [y];
        int[] map = TransposeOp.MapStrided(shape, strides, start);
        var s = inputs[0]!.Span;
        var d = y.Span;
        for (int i = 0; i < d.Length; i++) d[i] = s[map[i]];
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        var (shape, strides, start) = Plan(inputs);
        Tensor dx = T.New(context, T.Shape(inputs[0]!));
        if (outputs[0].Length > 0)
        {
            int[] map = TransposeOp.MapStrided(shape, strides, start);
            var g = outputGradients[0]!.Span;
            for (int i = 0; i < map.Length; i++) dx.Span[map[i]] += g[i];
        }
        var r = new Tensor?[inputs.Length];
        r[0] = dx;
        return r;
    }
}

/// <summary>Gather along an axis with (possibly negative) indices.</summary>
internal sealed class GatherOp(NodeAttributes a) : OnnxOp
{
    private (int[] Shape, int Outer, int Dim, int Inner, int[] Index) Plan(Tensor x, Tensor indices)
    {
        int axis = T.Axis(a.Int("axis", 0), x.Rank, a.Where);
        int dim = x.Dim(axis);
        long[] raw = T.Longs(indices);
        var idx = new int[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            long v = raw[i] < 0 ? raw[i] + dim : raw[i];
            if (v < 0 || v >= dim) throw a.Invalid($"index {raw[i]} is out of range for dimension {dim}.");
            idx[i] = (int)v;
        }
        int[] shape = [.. x.Shape[..axis].ToArray(), .. indices.Shape.ToArray(), .. x.Shape[(axis + 1)..].ToArray()];
        return (shape, (int)T.Count(x.Shape[..axis]), dim, (int)T.Count(x.Shape[(axis + 1)..]), idx);
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
        var (shape, outer, dim, inner, idx) = Plan(x, inputs[1]!);
        Tensor y = T.New(context, shape);
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < idx.Length; k++)
                x.Span.Slice((o * dim + idx[k]) * inner, inner).CopyTo(y.Span.Slice((o * idx.Length + k) * inner, inner));
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!;
        var (_, outer, dim, inner, idx) = Plan(x, inputs[1]!);
        Tensor dx = T.New(context, T.Shape(x));
        var g = outputGradients[0]!.Span;
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < idx.Length; k++)
                for (int i = 0; i < inner; i++) dx.Span[(o * dim + idx[k]) * inner + i] += g[(o * idx.Length + k) * inner + i];
        return [dx, null];
    }
}

/// <summary>A value computed without a gradient (Shape, Cast to integers, Constant, ConstantOfShape, ...).</summary>
internal sealed class FunctionOp(Func<Tensor?[], OpContext, Tensor> f, bool passGradient = false) : OnnxOp
{
    public override Tensor[] Forward(Tensor?[] inputs, OpContext context) => [f(inputs, context)];

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        var r = new Tensor?[inputs.Length];
        if (passGradient && r.Length > 0) r[0] = outputGradients[0];
        return r;
    }
}
