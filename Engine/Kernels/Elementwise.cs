using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// The one loop driver for elementwise operator structs: it owns the vector width choice, the loop and
/// the remainder, so an operator only says what happens to one value or one vector.
/// </summary>
internal static class Elementwise
{
    /// <summary>y[i] = op(x[i]). <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOperator
    {
        if (y.Length != x.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {y.Length}.", nameof(y));
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) op.Invoke(Vector512.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
        else if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) op.Invoke(Vector256.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref ys, i) = op.Invoke(Unsafe.Add(ref xs, i));
    }

    /// <summary>z[i] = op(x[i], y[i]), or z[i] += op(x[i], y[i]) when <paramref name="accumulate"/>.</summary>
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z, bool accumulate) where TOp : struct, IBinaryOperator
    {
        if (y.Length != x.Length || z.Length != x.Length) throw new ArgumentException($"Lengths differ: {x.Length}, {y.Length}, {z.Length}.", nameof(z));
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float zs = ref MemoryMarshal.GetReference(z);
        int n = x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var v = op.Invoke(Vector512.LoadUnsafe(ref xs, (nuint)i), Vector512.LoadUnsafe(ref ys, (nuint)i));
                if (accumulate) v += Vector512.LoadUnsafe(ref zs, (nuint)i);
                v.StoreUnsafe(ref zs, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
            {
                var v = op.Invoke(Vector256.LoadUnsafe(ref xs, (nuint)i), Vector256.LoadUnsafe(ref ys, (nuint)i));
                if (accumulate) v += Vector256.LoadUnsafe(ref zs, (nuint)i);
                v.StoreUnsafe(ref zs, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = op.Invoke(Unsafe.Add(ref xs, i), Unsafe.Add(ref ys, i));
            Unsafe.Add(ref zs, i) = accumulate ? Unsafe.Add(ref zs, i) + v : v;
        }
    }
}
