using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// The forward pass of depthwise convolutions (one input and one output channel per group: the 3x3 and 5x5 layers of
/// MobileNets and EfficientNets) computed directly. As GEMMs they are products of one row (the channel's K x K weights)
/// with a K x K-row unfolded matrix, one call per channel, where the calls and the unfolding cost more than the arithmetic.
/// Here each plane is copied once into a zero-bordered scratch plane, and blocks of 16 outputs of a row (AVX-512; 8 with
/// AVX2 or on maps at most 8 wide), eight blocks at a time, sum their taps with fused multiply-adds in the order the GEMM's
/// micro-kernel sums them (taps in order from zero, zeros included for padding), then take the bias and the epilogue in
/// registers and are stored into the output plane: the same bits as the GEMM route followed by the epilogue's pass. With
/// AVX-512, 3x3 kernels at stride 1 or 2 instead read each padded row once for all the outputs that take it
/// (<see cref="Rolling3x3"/>), summing in the same order. Planes are split over threads.
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

    /// <summary>Outputs per block: one AVX-512 vector, or an AVX2 one where that is all there is or a row is at most 8 wide.</summary>
    private static int BlockWidth(in Conv2dGeometry g) => Avx512F.IsSupported && g.OutWidth > 8 ? 16 : 8;

    /// <summary>An output row rounded up to whole blocks.</summary>
    private static int BlockedRow(in Conv2dGeometry g) => (g.OutWidth + BlockWidth(g) - 1) / BlockWidth(g) * BlockWidth(g);

    /// <summary>Scratch row width: every block of a row reads inside it (two vectors per load at stride 2).</summary>
    private static int RowWidth(in Conv2dGeometry g) => BlockedRow(g) * g.StrideW + (g.KernelWidth - 1) * g.DilationW + 16;

    private static int PaddedHeight(in Conv2dGeometry g) => g.InHeight + g.PadTop + g.PadBottom;

    [ThreadStatic] private static float[]? t_scratch;

    private struct PlanesBody : IChunkBody
    {
        public float* X, W, Bias, Y;
        public Conv2dGeometry G;
        public ConvEpilogue Epilogue;

        public readonly void Run(int p0, int p1)
        {
            int rowWidth = RowWidth(G), padded = PaddedHeight(G) * rowWidth;
            if (t_scratch is null || t_scratch.Length < padded)
                t_scratch = GC.AllocateUninitializedArray<float>(padded, pinned: true);
            float* scratch = (float*)Unsafe.AsPointer(ref t_scratch[0]);
            // Borders stay zero across the chunk's planes: only the interior is written.
            new Span<float>(scratch, padded).Clear();
            int inPlane = G.InHeight * G.InWidth, outPlane = G.OutHeight * G.OutWidth;
            // Where each block reads its first tap and where it writes its first output, the same for every plane: worked out
            // once per chunk. Blocks store whole vectors, so a row's last block may write past the row's end into the next
            // row, which is stored after it; the blocks that would write past the plane's end go through a spill tile. A
            // rolling plane walks its rows itself and needs no such table.
            bool rolling = RollsRows(G);
            int width = BlockWidth(G), perRow = BlockedRow(G) / width, blocks = rolling ? 0 : G.OutHeight * perRow;
            int[] offsets = ArrayPool<int>.Shared.Rent(2 * blocks);
            fixed (int* po = offsets)
            {
                int* origins = po, targets = po + blocks;
                for (int b = 0; b < blocks; b++)
                {
                    int oy = b / perRow, ox = (b - oy * perRow) * width;
                    origins[b] = oy * G.StrideH * rowWidth + ox * G.StrideW;
                    targets[b] = oy * G.OutWidth + ox;
                }
                int direct = blocks;
                while (direct > 0 && targets[direct - 1] + width > outPlane) direct--;
                var plane = new PlaneKernel
                {
                    Scratch = scratch, Origins = origins, Targets = targets, Blocks = blocks, Direct = direct, Taps = new Taps(G, rowWidth, width),
                    OutHeight = G.OutHeight, Rolling = rolling,
                };
                for (int p = p0; p < p1; p++)
                {
                    int channel = p % G.InChannels;
                    float* src = X + (long)p * inPlane;
                    for (int r = 0; r < G.InHeight; r++) ShortRows.Copy(src + r * G.InWidth, scratch + (r + G.PadTop) * rowWidth + G.PadLeft, G.InWidth);
                    plane.W = W + (long)channel * G.KernelHeight * G.KernelWidth;
                    plane.Output = Y + (long)p * outPlane;
                    plane.HasBias = Bias is not null;
                    plane.Bias = Bias is null ? 0 : Bias[channel];
                    if (Epilogue.TryDispatch(channel, ref plane)) continue;
                    // An activation without a vector operator (sigmoid, tanh, GELU): the bias in registers, the epilogue over the plane (still in cache).
                    plane.Run(new IdentityOp());
                    Epilogue.Apply(new Span<float>(plane.Output, outPlane), channel);
                }
            }
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    /// <summary>
    /// One output plane from the zero-bordered input plane, blocks of outputs in row order, eight at a time
    /// (<see cref="Blocks256"/>, <see cref="Blocks512"/>): the first <see cref="Direct"/> blocks stored in place, the rest
    /// (a 7x7 plane's seven blocks, the last block of a ragged row) into a spill tile whose outputs inside each row are
    /// copied out. The epilogue operator comes in as a type, so each compiles into the kernel.
    /// </summary>
    private struct PlaneKernel : IEpilogueConsumer
    {
        public float* Scratch, W, Output;
        public int* Origins, Targets;
        public int Blocks, Direct, OutHeight;
        public Taps Taps;

        /// <summary>Whether <see cref="Rolling3x3"/> computes the plane (see <see cref="RollsRows"/>).</summary>
        public bool Rolling;
        public float Bias;
        public bool HasBias;

        public readonly void Run<TOp>(TOp op) where TOp : unmanaged, IUnaryOperator
        {
            if (HasBias) AllBlocks(new BiasThenOp<TOp>(Bias, op));
            else AllBlocks(op);
        }

        private readonly void AllBlocks<TOp>(TOp op) where TOp : unmanaged, IUnaryOperator
        {
            if (Rolling)
            {
                Rolling3x3(Scratch, Taps.RowStep, Taps.Stride, W, Output, Taps.OutWidth, OutHeight, op);
                return;
            }
            int b = 0;
            bool wide = Taps.Block == 16;
            for (; b + 8 <= Direct; b += 8)
                if (wide) Blocks512(Taps, W, Scratch, Origins + b, Output, Targets + b, op);
                else Blocks256(Taps, W, Scratch, Origins + b, Output, Targets + b, op);
            if (b == Blocks) return;
            // The last blocks as groups of eight too, each into the spill tile at 16 floats a block (a missing block repeats
            // the group's last one); only the outputs inside the plane's rows are copied out.
            int* tail = stackalloc int[8];
            int* spillAt = stackalloc int[8];
            float* spill = stackalloc float[8 * 16];
            for (int i = 0; i < 8; i++) spillAt[i] = i * 16;
            int rowLength = Taps.OutWidth;
            for (; b < Blocks; b += 8)
            {
                int count = Math.Min(8, Blocks - b);
                for (int i = 0; i < 8; i++) tail[i] = Origins[b + Math.Min(i, count - 1)];
                if (wide) Blocks512(Taps, W, Scratch, tail, spill, spillAt, op);
                else Blocks256(Taps, W, Scratch, tail, spill, spillAt, op);
                for (int i = 0; i < count; i++)
                {
                    int target = Targets[b + i], inRow = Math.Min(Taps.Block, rowLength - target % rowLength);
                    new ReadOnlySpan<float>(spill + i * 16, inRow).CopyTo(new Span<float>(Output + target, inRow));
                }
            }
        }
    }

    /// <summary>A kernel's taps as distances in the padded plane, the block width and the output row length.</summary>
    private readonly struct Taps(in Conv2dGeometry g, int rowWidth, int block)
    {
        public readonly int Height = g.KernelHeight, Width = g.KernelWidth, RowStep = g.DilationH * rowWidth, ColumnStep = g.DilationW, Stride = g.StrideW;
        public readonly int Block = block, OutWidth = g.OutWidth;
    }

    /// <summary>
    /// Eight blocks of eight outputs (first taps at <paramref name="padded"/> + <paramref name="origins"/>[0..7]), each
    /// summing its taps in order from zero, then op(sum) stored at <paramref name="dst"/> + <paramref name="targets"/>[i] in
    /// block order: eight independent chains of multiply-adds are what it takes to keep two FMA units with a four-cycle
    /// latency busy (four chains ran at about half their rate).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocks256<TOp>(in Taps taps, float* w, float* padded, int* origins, float* dst, int* targets, TOp op)
        where TOp : unmanaged, IUnaryOperator
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
        op.Invoke(a0).Store(dst + targets[0]);
        op.Invoke(a1).Store(dst + targets[1]);
        op.Invoke(a2).Store(dst + targets[2]);
        op.Invoke(a3).Store(dst + targets[3]);
        op.Invoke(a4).Store(dst + targets[4]);
        op.Invoke(a5).Store(dst + targets[5]);
        op.Invoke(a6).Store(dst + targets[6]);
        op.Invoke(a7).Store(dst + targets[7]);
    }

    /// <summary><see cref="Blocks256"/> with blocks of sixteen outputs, one AVX-512 vector each: half the instructions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocks512<TOp>(in Taps taps, float* w, float* padded, int* origins, float* dst, int* targets, TOp op)
        where TOp : unmanaged, IUnaryOperator
    {
        Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        float* o0 = padded + origins[0], o1 = padded + origins[1], o2 = padded + origins[2], o3 = padded + origins[3];
        float* o4 = padded + origins[4], o5 = padded + origins[5], o6 = padded + origins[6], o7 = padded + origins[7];
        int stride = taps.Stride;
        for (int i = 0, t = 0; i < taps.Height; i++)
            for (int j = 0; j < taps.Width; j++, t++)
            {
                int offset = i * taps.RowStep + j * taps.ColumnStep;
                Vector512<float> wt = Vector512.Create(w[t]);
                a0 = Vector512.FusedMultiplyAdd(wt, StridedLoad.Sixteen(o0 + offset, stride), a0);
                a1 = Vector512.FusedMultiplyAdd(wt, StridedLoad.Sixteen(o1 + offset, stride), a1);
                a2 = Vector512.FusedMultiplyAdd(wt, StridedLoad.Sixteen(o2 + offset, stride), a2);
                a3 = Vector512.FusedMultiplyAdd(wt, StridedLoad.Sixteen(o3 + offset, stride), a3);
                a4 = Vector512.FusedMultiplyAdd(wt, StridedLoad.Sixteen(o4 + offset, stride), a4);
                a5 = Vector512.FusedMultiplyAdd(wt, StridedLoad.Sixteen(o5 + offset, stride), a5);
                a6 = Vector512.FusedMultiplyAdd(wt, StridedLoad.Sixteen(o6 + offset, stride), a6);
                a7 = Vector512.FusedMultiplyAdd(wt, StridedLoad.Sixteen(o7 + offset, stride), a7);
            }
        op.Invoke(a0).Store(dst + targets[0]);
        op.Invoke(a1).Store(dst + targets[1]);
        op.Invoke(a2).Store(dst + targets[2]);
        op.Invoke(a3).Store(dst + targets[3]);
        op.Invoke(a4).Store(dst + targets[4]);
        op.Invoke(a5).Store(dst + targets[5]);
        op.Invoke(a6).Store(dst + targets[6]);
        op.Invoke(a7).Store(dst + targets[7]);
    }

    /// <summary>
    /// Whether a plane runs <see cref="Rolling3x3"/>: 3x3 kernels at stride 1 or 2 on both axes without dilation (the
    /// padding may be any: the scratch plane holds it), with AVX-512.
    /// </summary>
    private static bool RollsRows(in Conv2dGeometry g) =>
        Avx512F.IsSupported && g.KernelHeight == 3 && g.KernelWidth == 3 && g.StrideH == g.StrideW && g.StrideW is 1 or 2
        && g.DilationH == 1 && g.DilationW == 1;

    /// <summary>
    /// A 3x3 plane from its zero-bordered scratch copy, each padded row read once per group of up to four blocks of
    /// sixteen outputs: the row's three vectors a block (shifted by one column, or at stride 2 the even and odd columns)
    /// serve every output row that takes the padded row, as its first, second or third row of taps, where
    /// <see cref="Blocks512"/> loads each tap of each output anew. An output's sum still runs over its taps in order from
    /// zero, so the bits are those of the other kernels. Stores are masked at a ragged row end (the groups write rows out
    /// of order, so a whole vector past the end would overwrite the next row's finished outputs).
    /// </summary>
    private static void Rolling3x3<TOp>(float* padded, int rowWidth, int stride, float* w, float* output, int outWidth, int outHeight, TOp op)
        where TOp : unmanaged, IUnaryOperator
    {
        if (stride == 1) RollingPlane3x3<TOp, UnitStride>(padded, rowWidth, w, output, outWidth, outHeight, op);
        else RollingPlane3x3<TOp, DoubleStride>(padded, rowWidth, w, output, outWidth, outHeight, op);
    }

    private static void RollingPlane3x3<TOp, TStride>(float* padded, int rowWidth, float* w, float* output, int outWidth, int outHeight, TOp op)
        where TOp : unmanaged, IUnaryOperator
        where TStride : struct, IRowVectors
    {
        var weights = new Weights3x3(w);
        int blocks = (outWidth + 15) / 16, full = 0, step = 16 * TStride.Stride;
        // Groups of four blocks, then the last one to four (the last block possibly ragged).
        for (; blocks - full > 4; full += 4)
            RollingGroup3x3<TOp, TStride, Count4>(padded + step * full, rowWidth, weights, output + 16 * full, outWidth, outHeight, 16, op);
        int rest = blocks - full, tail = outWidth - 16 * (blocks - 1);
        float* p = padded + step * full, y = output + 16 * full;
        switch (rest)
        {
            case 1: RollingGroup3x3<TOp, TStride, Count1>(p, rowWidth, weights, y, outWidth, outHeight, tail, op); break;
            case 2: RollingGroup3x3<TOp, TStride, Count2>(p, rowWidth, weights, y, outWidth, outHeight, tail, op); break;
            case 3: RollingGroup3x3<TOp, TStride, Count3>(p, rowWidth, weights, y, outWidth, outHeight, tail, op); break;
            default: RollingGroup3x3<TOp, TStride, Count4>(p, rowWidth, weights, y, outWidth, outHeight, tail, op); break;
        }
    }

    /// <summary>The three vectors of a padded row that a block of sixteen outputs multiplies by a row of 3x3 taps.</summary>
    private interface IRowVectors
    {
        static abstract int Stride { get; }

        /// <summary>Columns c, c + 1, c + 2 (stride 1; c = 0..15 from <paramref name="at"/>) or 2c, 2c + 1, 2c + 2 (stride 2).</summary>
        static abstract void Load(float* at, out Vector512<float> v0, out Vector512<float> v1, out Vector512<float> v2);
    }

    private struct UnitStride : IRowVectors
    {
        public static int Stride => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Load(float* at, out Vector512<float> v0, out Vector512<float> v1, out Vector512<float> v2)
        {
            v0 = Vector512.Load(at);
            v1 = Vector512.Load(at + 1);
            v2 = Vector512.Load(at + 2);
        }
    }

    private struct DoubleStride : IRowVectors
    {
        public static int Stride => 2;

        /// <summary>The even and odd columns of one pair of loads, and the even columns of the pair one column on.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Load(float* at, out Vector512<float> v0, out Vector512<float> v1, out Vector512<float> v2)
        {
            Vector512<int> even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), odd = even + Vector512<int>.One;
            Vector512<float> a = Vector512.Load(at), b = Vector512.Load(at + 16);
            v0 = Avx512F.PermuteVar16x32x2(a, even, b);
            v1 = Avx512F.PermuteVar16x32x2(a, odd, b);
            v2 = Avx512F.PermuteVar16x32x2(Vector512.Load(at + 2), even, Vector512.Load(at + 18));
        }
    }

    /// <summary>A 3x3 kernel's taps, each broadcast to a vector: Kyx is the tap of kernel row y and column x.</summary>
    private readonly struct Weights3x3(float* w)
    {
        public readonly Vector512<float> K00 = Vector512.Create(w[0]), K01 = Vector512.Create(w[1]), K02 = Vector512.Create(w[2]);
        public readonly Vector512<float> K10 = Vector512.Create(w[3]), K11 = Vector512.Create(w[4]), K12 = Vector512.Create(w[5]);
        public readonly Vector512<float> K20 = Vector512.Create(w[6]), K21 = Vector512.Create(w[7]), K22 = Vector512.Create(w[8]);

        /// <summary>acc + the row's products with the first row of taps, in tap order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> First(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> acc) =>
            Vector512.FusedMultiplyAdd(K02, v2, Vector512.FusedMultiplyAdd(K01, v1, Vector512.FusedMultiplyAdd(K00, v0, acc)));

        /// <summary>acc + the products with the second row of taps.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Second(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> acc) =>
            Vector512.FusedMultiplyAdd(K12, v2, Vector512.FusedMultiplyAdd(K11, v1, Vector512.FusedMultiplyAdd(K10, v0, acc)));

        /// <summary>acc + the products with the third row of taps.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Third(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> acc) =>
            Vector512.FusedMultiplyAdd(K22, v2, Vector512.FusedMultiplyAdd(K21, v1, Vector512.FusedMultiplyAdd(K20, v0, acc)));
    }

    /// <summary>
    /// TBlocks blocks of sixteen outputs of a 3x3 plane, all rows (see <see cref="Rolling3x3{TOp}"/>). At stride 1 padded
    /// row r completes output row r - 2 with its third row of taps (then stored), adds the second to row r - 1 and starts
    /// row r with the first; at stride 2 padded row 2o completes row o - 1 and starts row o, and row 2o + 1 adds the second
    /// row of taps to row o. The last block stores <paramref name="tail"/> outputs a row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RollingGroup3x3<TOp, TStride, TBlocks>(float* padded, int rowWidth, in Weights3x3 k, float* output, int outWidth, int outHeight, int tail, TOp op)
        where TOp : unmanaged, IUnaryOperator
        where TStride : struct, IRowVectors
        where TBlocks : struct, ICount
    {
        var group = new Group<TOp, TStride, TBlocks>(k, op, tail);
        if (TStride.Stride == 1)
        {
            float* y = output - 2 * (nint)outWidth;
            for (int r = 0; r < outHeight + 2; r++, padded += rowWidth, y += outWidth)
            {
                group.Third(padded);
                if (r >= 2) group.Store(y);
                group.Second(padded);
                group.Roll(padded);
            }
        }
        else
        {
            float* y = output - (nint)outWidth;
            for (int o = 0; o <= outHeight; o++, y += outWidth)
            {
                group.Third(padded);
                if (o >= 1) group.Store(y);
                if (o == outHeight) break;
                group.Roll(padded);
                padded += rowWidth;
                group.Second(padded);
                padded += rowWidth;
            }
        }
    }

    /// <summary>
    /// The accumulators of a rolling group, by block: P the output row that takes its third row of taps next, Q the one
    /// that takes its second. (At stride 2 an output row takes its second row of taps before the next starts, so Q is
    /// not needed: <see cref="Roll"/> starts the new row in P's place once P is stored.)
    /// </summary>
    private struct Group<TOp, TStride, TBlocks>(in Weights3x3 k, TOp op, int tail)
        where TOp : unmanaged, IUnaryOperator
        where TStride : struct, IRowVectors
        where TBlocks : struct, ICount
    {
        private readonly Weights3x3 _k = k;
        private readonly Vector512<float> _last = Vector512.LessThan(Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create((float)tail));
        private readonly bool _ragged = tail < 16;
        private Vector512<float> _p0, _q0, _p1, _q1, _p2, _q2, _p3, _q3;

        private static int Step => 16 * TStride.Stride;

        /// <summary>P += the third row of taps over the padded row at <paramref name="row"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Third(float* row)
        {
            TStride.Load(row, out var a, out var b, out var c);
            _p0 = _k.Third(a, b, c, _p0);
            if (TBlocks.Value > 1) { TStride.Load(row + Step, out a, out b, out c); _p1 = _k.Third(a, b, c, _p1); }
            if (TBlocks.Value > 2) { TStride.Load(row + 2 * Step, out a, out b, out c); _p2 = _k.Third(a, b, c, _p2); }
            if (TBlocks.Value > 3) { TStride.Load(row + 3 * Step, out a, out b, out c); _p3 = _k.Third(a, b, c, _p3); }
        }

        /// <summary>Stride 1: Q += the second row of taps. Stride 2: P (the row just started) += them.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Second(float* row)
        {
            TStride.Load(row, out var a, out var b, out var c);
            if (TStride.Stride == 1) _q0 = _k.Second(a, b, c, _q0); else _p0 = _k.Second(a, b, c, _p0);
            if (TBlocks.Value > 1)
            {
                TStride.Load(row + Step, out a, out b, out c);
                if (TStride.Stride == 1) _q1 = _k.Second(a, b, c, _q1); else _p1 = _k.Second(a, b, c, _p1);
            }
            if (TBlocks.Value > 2)
            {
                TStride.Load(row + 2 * Step, out a, out b, out c);
                if (TStride.Stride == 1) _q2 = _k.Second(a, b, c, _q2); else _p2 = _k.Second(a, b, c, _p2);
            }
            if (TBlocks.Value > 3)
            {
                TStride.Load(row + 3 * Step, out a, out b, out c);
                if (TStride.Stride == 1) _q3 = _k.Second(a, b, c, _q3); else _p3 = _k.Second(a, b, c, _p3);
            }
        }

        /// <summary>Starts a new output row with the first row of taps over <paramref name="row"/> (stride 1: P = Q, Q = it; stride 2: P = it).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Roll(float* row)
        {
            TStride.Load(row, out var a, out var b, out var c);
            var n = _k.First(a, b, c, Vector512<float>.Zero);
            if (TStride.Stride == 1) (_p0, _q0) = (_q0, n); else _p0 = n;
            if (TBlocks.Value > 1)
            {
                TStride.Load(row + Step, out a, out b, out c);
                n = _k.First(a, b, c, Vector512<float>.Zero);
                if (TStride.Stride == 1) (_p1, _q1) = (_q1, n); else _p1 = n;
            }
            if (TBlocks.Value > 2)
            {
                TStride.Load(row + 2 * Step, out a, out b, out c);
                n = _k.First(a, b, c, Vector512<float>.Zero);
                if (TStride.Stride == 1) (_p2, _q2) = (_q2, n); else _p2 = n;
            }
            if (TBlocks.Value > 3)
            {
                TStride.Load(row + 3 * Step, out a, out b, out c);
                n = _k.First(a, b, c, Vector512<float>.Zero);
                if (TStride.Stride == 1) (_p3, _q3) = (_q3, n); else _p3 = n;
            }
        }

        /// <summary>op(P) of every block into the output row at <paramref name="y"/>, the last block masked when ragged.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Store(float* y)
        {
            StoreBlock(y, op.Invoke(_p0), _ragged && TBlocks.Value == 1, _last);
            if (TBlocks.Value > 1) StoreBlock(y + 16, op.Invoke(_p1), _ragged && TBlocks.Value == 2, _last);
            if (TBlocks.Value > 2) StoreBlock(y + 32, op.Invoke(_p2), _ragged && TBlocks.Value == 3, _last);
            if (TBlocks.Value > 3) StoreBlock(y + 48, op.Invoke(_p3), _ragged && TBlocks.Value == 4, _last);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreBlock(float* at, Vector512<float> v, bool masked, Vector512<float> mask)
    {
        if (masked) Avx512F.MaskStore(at, mask, v);
        else v.Store(at);
    }
}
