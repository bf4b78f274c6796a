namespace MlPipelines.Engine.Kernels;

/// <summary>
/// Elementwise add and multiply with NumPy/PyTorch broadcasting (shapes aligned at the right, size-1 dimensions
/// stretched), forward and backward; backward reduces gradients over the stretched dimensions.
/// </summary>
internal static class Broadcast
{
    /// <summary>The broadcast result shape, or an error naming both shapes.</summary>
    public static int[] ResultShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var shape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"Shapes [{string.Join(", ", a.ToArray())}] and [{string.Join(", ", b.ToArray())}] do not broadcast.");
            shape[i] = Math.Max(da, db);
        }
        return shape;
    }

    /// <summary>y = a + b (or a * b when <paramref name="multiply"/>), broadcast.</summary>
    public static void Forward(ReadOnlySpan<float> a, int[] aShape, ReadOnlySpan<float> b, int[] bShape, bool multiply, Span<float> y)
    {
        int[] shape = ResultShape(aShape, bShape);
        var (sa, sb) = (Strides(aShape, shape.Length), Strides(bShape, shape.Length));
        if (aShape.AsSpan().SequenceEqual(bShape))
        {
            if (multiply) System.Numerics.Tensors.TensorPrimitives.Multiply(a, b, y);
            else System.Numerics.Tensors.TensorPrimitives.Add(a, b, y);
            return;
        }
        var (ia, ib) = Offsets(shape, sa, sb);
        for (int o = 0; o < ia.Length; o++) y[o] = multiply ? a[ia[o]] * b[ib[o]] : a[ia[o]] + b[ib[o]];
    }

    /// <summary>dA += reduce(dY (x b)), dB += reduce(dY (x a)); either gradient span may be empty to skip it.</summary>
    public static void Backward(ReadOnlySpan<float> a, int[] aShape, ReadOnlySpan<float> b, int[] bShape, bool multiply,
        ReadOnlySpan<float> dY, Span<float> dA, Span<float> dB)
    {
        int[] shape = ResultShape(aShape, bShape);
        var (sa, sb) = (Strides(aShape, shape.Length), Strides(bShape, shape.Length));
        var (ia, ib) = Offsets(shape, sa, sb);
        for (int o = 0; o < ia.Length; o++)
        {
            if (dA.Length != 0) dA[ia[o]] += multiply ? dY[o] * b[ib[o]] : dY[o];
            if (dB.Length != 0) dB[ib[o]] += multiply ? dY[o] * a[ia[o]] : dY[o];
        }
    }

    /// <summary>Element strides of <paramref name="shape"/> aligned to <paramref name="rank"/> dimensions, 0 where broadcast.</summary>
    private static int[] Strides(int[] shape, int rank)
    {
        var strides = new int[rank];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i + rank - shape.Length] = shape[i] == 1 ? 0 : s;
            s *= shape[i];
        }
        return strides;
    }

    /// <summary>For each output element in row-major order, the offsets of the a and b elements it reads.</summary>
    private static (int[] A, int[] B) Offsets(int[] shape, int[] sa, int[] sb)
    {
        int rank = shape.Length, total = 1;
        foreach (int d in shape) total *= d;
        var idx = new int[rank];
        var offA = new int[total];
        var offB = new int[total];
        int ia = 0, ib = 0;
        for (int o = 0; o < total; o++)
        {
            offA[o] = ia;
            offB[o] = ib;
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d]++;
                ia += sa[d];
                ib += sb[d];
                if (idx[d] < shape[d]) break;
                ia -= sa[d] * shape[d];
                ib -= sb[d] * shape[d];
                idx[d] = 0;
            }
        }
        return (offA, offB);
    }
}
