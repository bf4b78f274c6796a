using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MlPipelines.Engine.Compute;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// The forward pass of depthwise convolutions (one input and one output channel per group: the 3x3 and 5x5 layers of
/// MobileNets and EfficientNets) computed directly. As GEMMs they are products of one row (the channel's K x K weights)
/// with a K x K-row unfolded matrix, one call per channel, where the calls and the unfolding cost more than the arithmetic.
/// Here each plane is copied once into a zero-bordered scratch plane, and eight outputs of a row at a time sum their taps
/// with fused multiply-adds in the order the GEMM's micro-kernel sums them (taps in order from zero, zeros included for
/// padding), then take the bias and the epilogue (one pass when the rows are whole blocks and there is no bias): the same
/// bits as the GEMM route. Planes are split over threads.
/// </summary>
internal static unsafe class DepthwiseConv
{
    /// <summary>Depthwise (groups = in = out channels), stride 1 or 2 across, with AVX2 for the strided loads.</summary>
    public static bool Applies(in Conv2dGeometry g) =>
        Avx2.IsSupported && g.Groups > 1 && g.Groups == g.InChannels && g.OutChannels == g.InChannels && g.StrideW is 1 or 2;

    /// <summary>y = epilogue(conv(x, w) + bias) for a depthwise geometry (see <see cref="Applies"/>).</summary>
    public static void Forward(float* x, float* w, float* bias, in Conv2dGeometry g, float* y, in ConvEpilogue epilogue, int threads)
    {
        var body = new PlanesBody { X = x, W = w, Bias = bias, Y = y, G = g, Epilogue = epilogue };
        DeterministicParallel.For(g.Batch * g.InChannels, threads, 4, body);
    }

    /// <summary>Scratch row width: every eight-output block of a row reads inside it (16 floats per load at stride 2).</summary>
    private static int RowWidth(in Conv2dGeometry g) =>
        ((g.OutWidth + 7) & ~7) * g.StrideW + (g.KernelWidth - 1) * g.DilationW + 16;

    private static int PaddedHeight(in Conv2dGeometry g) => g.InHeight + g.PadTop + g.PadBottom;

    [ThreadStatic] private static float[]? t_scratch;

    private struct PlanesBody : IChunkBody
    {
        public float* X, W, Bias, Y;
        public Conv2dGeometry G;
        public ConvEpilogue Epilogue;

        public readonly void Run(int p0, int p1)
        {
            int rowWidth = RowWidth(G), rows = PaddedHeight(G), padded = rows * rowWidth;
            int stagedLength = StagedRow(G) * G.OutHeight;
            if (t_scratch is null || t_scratch.Length < padded + stagedLength)
                t_scratch = GC.AllocateUninitializedArray<float>(padded + stagedLength, pinned: true);
            float* scratch = (float*)Unsafe.AsPointer(ref t_scratch[0]);
            // Borders stay zero across the chunk's planes: only the interior is written.
            new Span<float>(scratch, padded).Clear();
            int inPlane = G.InHeight * G.InWidth, outPlane = G.OutHeight * G.OutWidth, taps = G.KernelHeight * G.KernelWidth;
            // Where each block of eight outputs reads its first tap, the same for every plane: worked out once per chunk, and
            // read eight at a time by EightBlocks.
            int blocks = G.OutHeight * (StagedRow(G) / 8);
            int[] origins = ArrayPool<int>.Shared.Rent(blocks);
            for (int b = 0, perRow = StagedRow(G) / 8; b < blocks; b++)
            {
                int oy = b / perRow, ox = (b - oy * perRow) * 8;
                origins[b] = oy * G.StrideH * rowWidth + ox * G.StrideW;
            }
            fixed (int* po = origins)
                for (int p = p0; p < p1; p++)
                {
                    int channel = p % G.InChannels;
                    float* src = X + (long)p * inPlane;
                    for (int r = 0; r < G.InHeight; r++) ShortRows.Copy(src + r * G.InWidth, scratch + (r + G.PadTop) * rowWidth + G.PadLeft, G.InWidth);
                    float* plane = Y + (long)p * outPlane;
                    float* staged = scratch + padded;
                    Plane(scratch, po, W + (long)channel * taps, G, staged);
                    if (Bias is null && !Epilogue.IsNone && StagedRow(G) == G.OutWidth)
                    {
                        // Rows of whole blocks: the staged plane is laid out as the output, and the epilogue is the copy.
                        Epilogue.Apply(new ReadOnlySpan<float>(staged, outPlane), new Span<float>(plane, outPlane), channel);
                        continue;
                    }
                    CopyOut(staged, Bias is null ? 0 : Bias[channel], Bias is not null, G, plane);
                    if (!Epilogue.IsNone) Epilogue.Apply(new Span<float>(plane, outPlane), channel);
                }
            ArrayPool<int>.Shared.Return(origins);
        }
    }

    /// <summary>An output row rounded up to whole blocks of eight, as the plane is staged.</summary>
    private static int StagedRow(in Conv2dGeometry g) => (g.OutWidth + 7) & ~7;

    /// <summary>
    /// One output plane from a zero-bordered input plane into <paramref name="staged"/> (rows rounded up to eight). The
    /// plane's blocks of eight outputs (row by row) go eight at a time (<see cref="EightBlocks"/>); a 7x7 map, one block a
    /// row, takes its blocks from all seven rows.
    /// </summary>
    private static void Plane(float* padded, int* origins, float* w, in Conv2dGeometry g, float* staged)
    {
        int blocks = g.OutHeight * (StagedRow(g) / 8);
        var geometry = new Taps(g, RowWidth(g));
        int b = 0;
        for (; b + 8 <= blocks; b += 8) EightBlocks(geometry, w, padded, origins + b, staged + b * 8);
        if (b == blocks) return;
        // The last one to seven blocks (all of a 7x7 plane's seven) as eight chains too: the missing ones repeat the last
        // block, and only the real ones are copied out.
        int rest = blocks - b;
        int* tail = stackalloc int[8];
        float* spill = stackalloc float[64];
        for (int i = 0; i < 8; i++) tail[i] = origins[b + Math.Min(i, rest - 1)];
        EightBlocks(geometry, w, padded, tail, spill);
        new ReadOnlySpan<float>(spill, rest * 8).CopyTo(new Span<float>(staged + b * 8, rest * 8));
    }

    /// <summary>The staged plane's rows into the output plane, plus the bias.</summary>
    private static void CopyOut(float* staged, float bias, bool hasBias, in Conv2dGeometry g, float* y)
    {
        int row = StagedRow(g);
        for (int oy = 0; oy < g.OutHeight; oy++)
        {
            float* src = staged + oy * row, dst = y + oy * g.OutWidth;
            if (hasBias) ShortRows.AddScalar(src, bias, dst, g.OutWidth);
            else ShortRows.Copy(src, dst, g.OutWidth);
        }
    }

    /// <summary>A kernel's taps as distances in the padded plane.</summary>
    private readonly struct Taps(in Conv2dGeometry g, int rowWidth)
    {
        public readonly int Height = g.KernelHeight, Width = g.KernelWidth, RowStep = g.DilationH * rowWidth, ColumnStep = g.DilationW, Stride = g.StrideW;
    }

    /// <summary>
    /// Eight blocks of eight outputs (origins at <paramref name="padded"/> + <paramref name="origins"/>[0..7]), each summing
    /// its taps in order from zero, stored side by side: eight independent chains of multiply-adds are what it takes to
    /// keep two FMA units with a four-cycle latency busy (four chains ran at about half their rate).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EightBlocks(in Taps taps, float* w, float* padded, int* origins, float* dst)
    {
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        float* o0 = padded + origins[0], o1 = padded + origins[1], o2 = padded + origins[2], o3 = padded + origins[3];
        float* o4 = padded + origins[4], o5 = padded + origins[5], o6 = padded + origins[6], o7 = padded + origins[7];
        int stride = taps.Stride;
        for (int i = 0, t = 0; i < taps.Height; i++)
            for (int j = 0; j < taps.Width; j++, t++)
            {
                int offset = i * taps.RowStep + j * taps.ColumnStep;
                Vector256<float> wt = Vector256.Create(w[t]);
                a0 = Vector256.FusedMultiplyAdd(wt, StridedLoad.Eight(o0 + offset, stride), a0);
                a1 = Vector256.FusedMultiplyAdd(wt, StridedLoad.Eight(o1 + offset, stride), a1);
                a2 = Vector256.FusedMultiplyAdd(wt, StridedLoad.Eight(o2 + offset, stride), a2);
                a3 = Vector256.FusedMultiplyAdd(wt, StridedLoad.Eight(o3 + offset, stride), a3);
                a4 = Vector256.FusedMultiplyAdd(wt, StridedLoad.Eight(o4 + offset, stride), a4);
                a5 = Vector256.FusedMultiplyAdd(wt, StridedLoad.Eight(o5 + offset, stride), a5);
                a6 = Vector256.FusedMultiplyAdd(wt, StridedLoad.Eight(o6 + offset, stride), a6);
                a7 = Vector256.FusedMultiplyAdd(wt, StridedLoad.Eight(o7 + offset, stride), a7);
            }
        a0.Store(dst);
        a1.Store(dst + 8);
        a2.Store(dst + 16);
        a3.Store(dst + 24);
        a4.Store(dst + 32);
        a5.Store(dst + 40);
        a6.Store(dst + 48);
        a7.Store(dst + 56);
    }
}
