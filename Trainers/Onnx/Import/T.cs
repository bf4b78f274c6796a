using MlPipelines.Engine;

namespace MlPipelines.Trainers.Onnx.Import;

/// <summary>Shape arithmetic and checked allocation shared by the ops.</summary>
internal static class T
{
    public static long Count(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }

    /// <summary>A zeroed tensor, refusing shapes with negative dimensions or more elements than allowed.</summary>
    public static Tensor New(OpContext ctx, params int[] shape)
    {
        CheckShape(ctx, shape);
        return new Tensor(shape);
    }

    private static void CheckShape(OpContext ctx, int[] shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new InvalidDataException($"Computed shape [{string.Join(", ", shape)}] has a negative dimension.");
            n *= d;
            if (n > ctx.MaxElements) throw new InvalidDataException($"Computed shape [{string.Join(", ", shape)}] exceeds the limit of {ctx.MaxElements} elements.");
        }
    }

    /// <summary>
    /// As <see cref="New"/>, but from the step's pool and not cleared: for outputs an op overwrites entirely, so a large
    /// activation costs neither a fresh allocation nor a pass that zeroes it.
    /// </summary>
    public static Tensor Rent(OpContext ctx, int[] shape)
    {
        CheckShape(ctx, shape);
        return ctx.Step.Rent(shape);
    }

    public static int[] Shape(Tensor t) => t.Shape.ToArray();

    public static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    public static int Axis(long axis, int rank, string what)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.Max(rank, 1)) throw new InvalidDataException($"{what}: axis {axis} is out of range for rank {rank}.");
        return (int)a;
    }

    /// <summary>An integer carried as float (ints travel as floats), saturated to long.</summary>
    public static long ToLong(float v) => v >= 9.2e18f ? long.MaxValue : v <= -9.2e18f ? long.MinValue : (long)v;

    public static long[] Longs(Tensor t)
    {
        var span = t.Span;
        var r = new long[span.Length];
        for (int i = 0; i < r.Length; i++) r[i] = ToLong(span[i]);
        return r;
    }

    public static int ToInt(long v, string what) =>
        v is < int.MinValue or > int.MaxValue ? throw new InvalidDataException($"{what}: value {v} is out of range.") : (int)v;

    public static Tensor FromLongs(OpContext ctx, long[] values, params int[] shape)
    {
        Tensor t = New(ctx, shape);
        for (int i = 0; i < values.Length; i++) t.Span[i] = values[i];
        return t;
    }

    /// <summary>Elementwise sum into a new tensor (gradient accumulation never writes into an existing tensor).</summary>
    public static Tensor Sum(Tensor a, Tensor b)
    {
        var r = new Tensor(Shape(a));
        var x = a.Span;
        var y = b.Span;
        var z = r.Span;
        for (int i = 0; i < z.Length; i++) z[i] = x[i] + y[i];
        return r;
    }

    /// <summary>The numpy broadcast of two shapes; throws naming the shapes when they do not broadcast.</summary>
    public static int[] Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new InvalidDataException($"Shapes [{string.Join(", ", a)}] and [{string.Join(", ", b)}] do not broadcast.");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>For each flat index of <paramref name="outShape"/>, the flat index into a tensor of <paramref name="inShape"/> broadcast to it.</summary>
    public static int[] BroadcastMap(int[] inShape, int[] outShape)
    {
        int rank = outShape.Length, off = rank - inShape.Length;
        int[] inStrides = Strides(inShape);
        var eff = new int[rank];
        for (int i = 0; i < rank; i++) eff[i] = i >= off && inShape[i - off] != 1 ? inStrides[i - off] : 0;
        int total = (int)Count(outShape);
        var map = new int[total];
        var idx = new int[rank];
        int cur = 0;
        for (int f = 0; f < total; f++)
        {
            map[f] = cur;
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d]++;
                cur += eff[d];
                if (idx[d] < outShape[d]) break;
                cur -= eff[d] * idx[d];
                idx[d] = 0;
            }
        }
        return map;
    }

    /// <summary>Sums a gradient of the broadcast shape back to <paramref name="inShape"/>.</summary>
    public static Tensor Unbroadcast(Tensor grad, int[] inShape)
    {
        if (grad.Shape.SequenceEqual(inShape)) return grad;
        int[] map = BroadcastMap(inShape, Shape(grad));
        var r = new Tensor(inShape);
        var g = grad.Span;
        var s = r.Span;
        for (int i = 0; i < map.Length; i++) s[map[i]] += g[i];
        return r;
    }
}
