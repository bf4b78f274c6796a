using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// The one loop driver for elementwise operator structs: it owns the vector width choice, the loop and
/// the remainder, so an operator only says what happens to one value or one vector. The overloads with a thread count
/// split long tensors into blocks over threads; every element is computed the same way on any split.
/// </summary>
internal static unsafe class Elementwise
{
    /// <summary>Elements per work item of the threaded overloads (a multiple of every vector width).</summary>
    private const int Block = 4096;

    /// <summary>Work items per chunk: below about 64K elements a second thread costs more than it saves.</summary>
    private const int MinBlocksPerChunk = 16;

    /// <summary>y[i] = op(x[i]) over <paramref name="threads"/> threads. <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> y, int threads) where TOp : unmanaged, IUnaryOperator
    {
        if (y.Length != x.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {y.Length}.", nameof(y));
        if (threads <= 1 || x.Length < 2 * Block * MinBlocksPerChunk)
        {
            Map(op, x, y);
            return;
        }
        fixed (float* px = x, py = y)
            DeterministicParallel.For((x.Length + Block - 1) / Block, threads, MinBlocksPerChunk, new UnaryBody<TOp> { Op = op, X = px, Y = py, Length = x.Length });
    }

    /// <summary>z[i] = op(x[i], y[i]) (or +=) over <paramref name="threads"/> threads.</summary>
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z, bool accumulate, int threads) where TOp : unmanaged, IBinaryOperator
    {
        if (y.Length != x.Length || z.Length != x.Length) throw new ArgumentException($"Lengths differ: {x.Length}, {y.Length}, {z.Length}.", nameof(z));
        if (threads <= 1 || x.Length < 2 * Block * MinBlocksPerChunk)
        {
            Map(op, x, y, z, accumulate);
            return;
        }
        fixed (float* px = x, py = y, pz = z)
            DeterministicParallel.For((x.Length + Block - 1) / Block, threads, MinBlocksPerChunk,
                new BinaryBody<TOp> { Op = op, X = px, Y = py, Z = pz, Length = x.Length, Accumulate = accumulate });
    }

    private struct UnaryBody<TOp> : IChunkBody where TOp : unmanaged, IUnaryOperator
    {
        public TOp Op;
        public float* X, Y;
        public int Length;

        public readonly void Run(int b0, int b1)
        {
            int start = b0 * Block, count = Math.Min(b1 * Block, Length) - start;
            Map(Op, new ReadOnlySpan<float>(X + start, count), new Span<float>(Y + start, count));
        }
    }

    private struct BinaryBody<TOp> : IChunkBody where TOp : unmanaged, IBinaryOperator
    {
        public TOp Op;
        public float* X, Y, Z;
        public int Length;
        public bool Accumulate;

        public readonly void Run(int b0, int b1)
        {
            int start = b0 * Block, count = Math.Min(b1 * Block, Length) - start;
            Map(Op, new ReadOnlySpan<float>(X + start, count), new ReadOnlySpan<float>(Y + start, count), new Span<float>(Z + start, count), Accumulate);
        }
    }

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
