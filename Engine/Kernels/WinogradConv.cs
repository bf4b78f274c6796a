using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MlPipelines.Engine.Compute;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// 3x3 stride-1 convolutions by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016): every 2x2 block of outputs comes from a 4x4 input tile, and in the transformed
/// domain the 36 multiply-adds per (input, output) channel pair of a direct convolution become 16. The channel sums are 16
/// independent GEMMs, one per transformed position xi: M[xi] (out x tiles) = U[xi] (out x in) V[xi] (in x tiles), where
/// U = G w G^T holds the transformed kernels and V = B^T d B the transformed input tiles; the outputs are then
/// Y = A^T M A. The transforms' coefficients are 0, +-1 and 1/2, so the results stay within a few float roundings of the
/// direct sum (the F(4x4, 3x3) variant's larger coefficients would not).
/// <para>
/// Tiles are processed in blocks of whole tile rows (of one image or of several small ones) whose transformed inputs
/// stay in the last-level cache. Every product runs on one thread, so the bits do not depend on the thread count: blocks
/// are dealt out to threads when there are enough of them, otherwise the three phases of each block (input transform,
/// the 16 products, output transform) are split over the threads by channel or by xi.
/// </para>
/// </summary>
internal static unsafe class WinogradConv
{
    /// <summary>Transformed positions of a 4x4 tile: the number of products.</summary>
    private const int Positions = 16;

    /// <summary>
    /// Fewest input and output channels. Each product has the input channels as its depth: at 16 the micro-kernel stores
    /// its tile after 16 multiply-adds a value, and the transforms cost about as much as the multiply-adds saved.
    /// </summary>
    private const int MinChannels = 32;

    /// <summary>
    /// Fewest output pixels a call (over its whole batch). The kernels are transformed on every call (weights change
    /// between training steps and nothing marks when): 1.8 floats written per weight, repaid only when each weight serves
    /// enough outputs. Batch-1 inference on small maps keeps the direct route.
    /// </summary>
    private const int MinOutputs = 1024;

    /// <summary>About this many floats of transformed input per block (1 MiB): the block's products then read it from cache.</summary>
    private const int BlockInputFloats = 1 << 18;

    /// <summary>
    /// Fewest tiles per block, whatever the channels: each block's products read all of U, which with 512 channels is 1 MiB
    /// per position and costs as much to fetch as 32 tiles' multiply-adds.
    /// </summary>
    private const int MinBlockTiles = 128;

    /// <summary>True for 3x3 kernels, stride 1, no dilation, one group, padding of at most 2 on each side.</summary>
    public static bool Applies(in Conv2dGeometry g) =>
        g.KernelHeight == 3 && g.KernelWidth == 3 && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1 && g.Groups == 1
        && g.PadTop <= 2 && g.PadBottom <= 2 && g.PadLeft <= 2 && g.PadRight <= 2;

    /// <summary>Whether the forward pass (and the input gradient, which is the same kind of convolution) should take this route.</summary>
    public static bool Pays(in Conv2dGeometry g) =>
        Applies(g) && g.InChannels >= MinChannels && g.OutChannels >= MinChannels && (long)g.Batch * g.OutHeight * g.OutWidth >= MinOutputs;

    /// <summary>y = epilogue(conv(x, w) + bias) for the whole batch.</summary>
    public static void Forward(float* x, float* w, float* bias, in Conv2dGeometry g, float* y, in ConvEpilogue epilogue, int threads)
    {
        var shape = new Shape(g.Batch, g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth, g.PadTop, g.PadLeft);
        Run(shape, x, w, flip: false, bias, y, accumulate: false, epilogue, threads);
    }

    /// <summary>
    /// dX (= or +=) conv^T(dY, w): for a stride-1 3x3 kernel this is the convolution of dY with the kernels flipped and
    /// transposed, padded by 2 - pad on each side.
    /// </summary>
    public static void BackwardData(float* dY, float* w, in Conv2dGeometry g, float* dX, bool accumulate, int threads)
    {
        var shape = new Shape(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth, g.InChannels, g.InHeight, g.InWidth, 2 - g.PadTop, 2 - g.PadLeft);
        Run(shape, dY, w, flip: true, null, dX, accumulate, default, threads);
    }

    /// <summary>One convolution's sizes: src [batch, in, inH, inW] to dst [batch, out, outH, outW], 3x3, stride 1.</summary>
    private readonly struct Shape
    {
        public Shape(int batch, int inChannels, int inH, int inW, int outChannels, int outH, int outW, int padTop, int padLeft)
        {
            (Batch, InChannels, InH, InW, OutChannels, OutH, OutW, PadTop, PadLeft) = (batch, inChannels, inH, inW, outChannels, outH, outW, padTop, padLeft);
            TilesH = (outH + 1) / 2;
            TilesW = (outW + 1) / 2;
            // Vector code handles 8 tiles at a time; a row's last group reads and writes up to the next multiple of 8.
            TilesWPadded = (TilesW + 7) & ~7;
            RowFloats = Math.Max(2 * TilesWPadded + 16, padLeft + inW);
            int perBlock = Math.Max(MinBlockTiles, BlockInputFloats / (Positions * inChannels));
            RowsPerBlock = Math.Max(1, perBlock / TilesW);
            int tileRows = batch * TilesH;
            Blocks = (tileRows + RowsPerBlock - 1) / RowsPerBlock;
            // A block's columns, with room for the last row's vector overrun.
            Columns = RowsPerBlock * TilesW + TilesWPadded;
        }

        public int Batch { get; }
        public int InChannels { get; }
        public int InH { get; }
        public int InW { get; }
        public int OutChannels { get; }
        public int OutH { get; }
        public int OutW { get; }
        public int PadTop { get; }
        public int PadLeft { get; }
        public int TilesH { get; }
        public int TilesW { get; }
        public int TilesWPadded { get; }

        /// <summary>Floats of one transformed input row (a row of 4x4 tiles seen through one of B^T's rows).</summary>
        public int RowFloats { get; }

        public int RowsPerBlock { get; }
        public int Blocks { get; }

        /// <summary>Columns of a block's matrices (the leading dimension of V and M).</summary>
        public int Columns { get; }

        /// <summary>Tile rows [r0, r1) of block <paramref name="block"/>, counted over the whole batch.</summary>
        public (int R0, int R1) BlockRows(int block) => (block * RowsPerBlock, Math.Min((block + 1) * RowsPerBlock, Batch * TilesH));
    }

    private static void Run(in Shape s, float* src, float* w, bool flip, float* bias, float* dst, bool accumulate, in ConvEpilogue epilogue, int threads)
    {
        int packedLength = Gemm.PackedALength(s.OutChannels, s.InChannels);
        float[] transformed = ArrayPool<float>.Shared.Rent(Positions * s.OutChannels * s.InChannels);
        float[] packed = ArrayPool<float>.Shared.Rent(Positions * packedLength);
        try
        {
            fixed (float* u = transformed, pu = packed)
            {
                var kernels = new KernelBody { W = w, U = u, Out = s.OutChannels, In = s.InChannels, Flip = flip };
                DeterministicParallel.For(s.OutChannels, threads, 8, kernels);
                // Every block multiplies the same sixteen U[xi]: packed for the GEMM once here rather than once a block (with
                // 256-512 channels the packing was about 5 % of such a layer).
                var packing = new PackBody { U = u, Packed = pu, Out = s.OutChannels, In = s.InChannels, PackedLength = packedLength };
                DeterministicParallel.For(Positions, threads, 1, packing);
                var job = new Job { S = s, Src = src, U = pu, PackedLength = packedLength, Bias = bias, Dst = dst, Accumulate = accumulate, Epilogue = epilogue };
                if (threads <= 1 || s.Blocks >= 4 * threads)
                {
                    var body = new BlocksBody { Job = job };
                    DeterministicParallel.ForChunks(s.Blocks, threads <= 1 ? 1 : DeterministicParallel.ChunkCount(s.Blocks, threads, 1), threads, body);
                }
                else
                {
                    // Too few blocks to share out: each block's phases are split over the threads instead.
                    using var buffers = new Buffers(s);
                    for (int b = 0; b < s.Blocks; b++)
                    {
                        (int r0, int r1) = s.BlockRows(b);
                        var phase = new PhaseBody { Job = job, V = buffers.V, M = buffers.M, R0 = r0, R1 = r1 };
                        phase.Phase = 0;
                        DeterministicParallel.For(s.InChannels, threads, 4, phase);
                        phase.Phase = 1;
                        DeterministicParallel.For(Positions, threads, 1, phase);
                        phase.Phase = 2;
                        DeterministicParallel.For(s.OutChannels, threads, 4, phase);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(transformed);
            ArrayPool<float>.Shared.Return(packed);
        }
    }

    /// <summary>U[xi] packed as the GEMM packs its A, for positions [p0, p1).</summary>
    private struct PackBody : IChunkBody
    {
        public float* U, Packed;
        public int Out, In, PackedLength;

        public readonly void Run(int p0, int p1)
        {
            for (int p = p0; p < p1; p++)
                Gemm.PackA(new ReadOnlySpan<float>(U + (long)p * Out * In, Out * In), Out, In, In, new Span<float>(Packed + (long)p * PackedLength, PackedLength));
        }
    }

    /// <summary>A block's transformed inputs V [16, in, columns] and products M [16, out, columns], from the pool.</summary>
    private readonly struct Buffers : IDisposable
    {
        private readonly float[] _v, _m;
        private readonly GCHandle _hv, _hm;

        public Buffers(in Shape s)
        {
            int vl = Positions * s.InChannels * s.Columns, ml = Positions * s.OutChannels * s.Columns;
            _v = ArrayPool<float>.Shared.Rent(vl);
            _m = ArrayPool<float>.Shared.Rent(ml);
            // Columns past a block's tiles are read by the vector transforms (their results are dropped): keep them finite.
            Array.Clear(_v, 0, vl);
            Array.Clear(_m, 0, ml);
            _hv = GCHandle.Alloc(_v, GCHandleType.Pinned);
            _hm = GCHandle.Alloc(_m, GCHandleType.Pinned);
        }

        public float* V => (float*)_hv.AddrOfPinnedObject();

        public float* M => (float*)_hm.AddrOfPinnedObject();

        public void Dispose()
        {
            _hv.Free();
            _hm.Free();
            ArrayPool<float>.Shared.Return(_v);
            ArrayPool<float>.Shared.Return(_m);
        }
    }

    /// <summary>What every phase reads: the sizes, the tensors and the transformed kernels U [16, out, in], each packed for the GEMM.</summary>
    private struct Job
    {
        public Shape S;
        public float* Src, U, Bias, Dst;
        public int PackedLength;
        public bool Accumulate;
        public ConvEpilogue Epilogue;

        /// <summary>V[xi, c, :] for input channels [c0, c1) of tile rows [r0, r1).</summary>
        public readonly void TransformInputs(float* v, int r0, int r1, int c0, int c1)
        {
            int rowFloats = S.RowFloats, plane = S.InH * S.InW;
            float[] scratch = ArrayPool<float>.Shared.Rent(4 * rowFloats + S.InW);
            try
            {
                // Four rows B^T d (one per row of B^T), then a zero input row for the padding above and below the image.
                Array.Clear(scratch, 0, 4 * rowFloats + S.InW);
                fixed (float* t = scratch)
                {
                    float* zero = t + 4 * rowFloats;
                    for (int c = c0; c < c1; c++)
                        for (int r = r0; r < r1; r++)
                        {
                            int n = r / S.TilesH, ty = r % S.TilesH, top = 2 * ty - S.PadTop;
                            float* image = Src + ((long)n * S.InChannels + c) * plane;
                            float* d0 = Row(image, top, zero), d1 = Row(image, top + 1, zero), d2 = Row(image, top + 2, zero), d3 = Row(image, top + 3, zero);
                            float* t0 = t, t1 = t + rowFloats, t2 = t + 2 * rowFloats, t3 = t + 3 * rowFloats;
                            CombineRows(d0, d1, d2, d3, t0 + S.PadLeft, t1 + S.PadLeft, t2 + S.PadLeft, t3 + S.PadLeft, S.InW);
                            long at = (long)c * S.Columns + (long)(r - r0) * S.TilesW;
                            long xi = (long)S.InChannels * S.Columns;
                            CombineColumns(t0, v + at, xi, S.TilesW);
                            CombineColumns(t1, v + at + 4 * xi, xi, S.TilesW);
                            CombineColumns(t2, v + at + 8 * xi, xi, S.TilesW);
                            CombineColumns(t3, v + at + 12 * xi, xi, S.TilesW);
                        }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }

        private readonly float* Row(float* image, int row, float* zero) => row >= 0 && row < S.InH ? image + (long)row * S.InW : zero;

        /// <summary>M[xi] = U[xi] V[xi] for positions [p0, p1) of a block of <paramref name="tiles"/> tiles.</summary>
        public readonly void Multiply(float* v, float* m, int tiles, int p0, int p1)
        {
            int o = S.OutChannels, c = S.InChannels, ld = S.Columns;
            for (int p = p0; p < p1; p++)
                Gemm.SgemmPackedA(o, tiles, c, new ReadOnlySpan<float>(U + (long)p * PackedLength, PackedLength),
                    new ReadOnlySpan<float>(v + (long)p * c * ld, c * ld), ld, new Span<float>(m + (long)p * o * ld, o * ld), ld);
        }

        /// <summary>The outputs of channels [o0, o1) of tile rows [r0, r1): Y = A^T M A, plus bias, through the epilogue.</summary>
        public readonly void TransformOutputs(float* m, int r0, int r1, int o0, int o1)
        {
            int width = 2 * S.TilesWPadded, plane = S.OutH * S.OutW;
            long xi = (long)S.OutChannels * S.Columns;
            float[] scratch = ArrayPool<float>.Shared.Rent(2 * width);
            try
            {
                fixed (float* t = scratch)
                {
                    bool finish = !Accumulate && !Epilogue.IsNone;
                    for (int o = o0; o < o1; o++)
                    {
                        float b = Bias is null ? 0 : Bias[o];
                        // The epilogue goes over each run of adjacent output rows at once (a block's rows of one image), not
                        // over each pair: on 8x8 maps a pair is 16 floats, fewer than a call's own cost.
                        float* run = null;
                        int runLength = 0;
                        for (int r = r0; r < r1; r++)
                        {
                            int n = r / S.TilesH, ty = r % S.TilesH;
                            OutputRows(m + (long)o * S.Columns + (long)(r - r0) * S.TilesW, xi, t, t + width, S.TilesW);
                            float* y = Dst + ((long)n * S.OutChannels + o) * plane + (long)2 * ty * S.OutW;
                            int count = Math.Min(2, S.OutH - 2 * ty);
                            for (int k = 0; k < count; k++)
                            {
                                float* from = t + k * width, to = y + k * S.OutW;
                                if (Accumulate) ShortRows.AddTo(from, to, S.OutW);
                                else if (b != 0) ShortRows.AddScalar(from, b, to, S.OutW);
                                else ShortRows.Copy(from, to, S.OutW);
                            }
                            if (!finish) continue;
                            if (y != run + runLength)
                            {
                                if (runLength > 0) Epilogue.Apply(new Span<float>(run, runLength), o);
                                run = y;
                                runLength = 0;
                            }
                            runLength += count * S.OutW;
                        }
                        if (runLength > 0) Epilogue.Apply(new Span<float>(run, runLength), o);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }

        /// <summary>One whole block on the calling thread.</summary>
        public readonly void Block(int block, float* v, float* m)
        {
            (int r0, int r1) = S.BlockRows(block);
            TransformInputs(v, r0, r1, 0, S.InChannels);
            Multiply(v, m, (r1 - r0) * S.TilesW, 0, Positions);
            TransformOutputs(m, r0, r1, 0, S.OutChannels);
        }
    }

    private struct BlocksBody : IChunkBody
    {
        public Job Job;

        public readonly void Run(int b0, int b1)
        {
            using var buffers = new Buffers(Job.S);
            for (int b = b0; b < b1; b++) Job.Block(b, buffers.V, buffers.M);
        }
    }

    private struct PhaseBody : IChunkBody
    {
        public Job Job;
        public float* V, M;
        public int R0, R1, Phase;

        public readonly void Run(int start, int end)
        {
            switch (Phase)
            {
                case 0: Job.TransformInputs(V, R0, R1, start, end); break;
                case 1: Job.Multiply(V, M, (R1 - R0) * Job.S.TilesW, start, end); break;
                default: Job.TransformOutputs(M, R0, R1, start, end); break;
            }
        }
    }

    /// <summary>
    /// U[xi, o, c] = (G k G^T)[xi] for the kernels of output channels [o0, o1): k = w[o, c], or w[c, o] flipped. Eight
    /// input channels at a time with AVX2 (their taps gathered, their sixteen transformed values stored as eight adjacent
    /// floats each): one kernel at a time stored sixteen floats a megabyte apart for the 512-channel layers, and the
    /// transform took 8 % of ResNet-18's inference. The same operations in the same order either way, so the same bits.
    /// </summary>
    private struct KernelBody : IChunkBody
    {
        public float* W, U;
        public int Out, In;
        public bool Flip;

        public readonly void Run(int o0, int o1)
        {
            long xi = (long)Out * In;
            int vectorEnd = Avx2.IsSupported ? In & ~7 : 0;
            // Tap 0 of kernels c..c+7: 9 floats apart (w[o, c]), or Out x 9 apart (w[c, o]).
            Vector256<int> lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * (Flip ? Out * 9 : 9);
            for (int o = o0; o < o1; o++)
            {
                for (int c = 0; c < vectorEnd; c += 8)
                {
                    float* f = Flip ? W + ((long)c * Out + o) * 9 : W + ((long)o * In + c) * 9;
                    Vector256<float> k0, k1, k2, k3, k4, k5, k6, k7, k8;
                    if (Flip)
                        (k0, k1, k2, k3, k4, k5, k6, k7, k8) = (Tap(f, 8, lanes), Tap(f, 7, lanes), Tap(f, 6, lanes), Tap(f, 5, lanes),
                            Tap(f, 4, lanes), Tap(f, 3, lanes), Tap(f, 2, lanes), Tap(f, 1, lanes), Tap(f, 0, lanes));
                    else
                        (k0, k1, k2, k3, k4, k5, k6, k7, k8) = (Tap(f, 0, lanes), Tap(f, 1, lanes), Tap(f, 2, lanes), Tap(f, 3, lanes),
                            Tap(f, 4, lanes), Tap(f, 5, lanes), Tap(f, 6, lanes), Tap(f, 7, lanes), Tap(f, 8, lanes));
                    float* u = U + (long)o * In + c;
                    Row(k0, k1, k2, u, xi);
                    Row(0.5f * (k0 + k3 + k6), 0.5f * (k1 + k4 + k7), 0.5f * (k2 + k5 + k8), u + 4 * xi, xi);
                    Row(0.5f * (k0 - k3 + k6), 0.5f * (k1 - k4 + k7), 0.5f * (k2 - k5 + k8), u + 8 * xi, xi);
                    Row(k6, k7, k8, u + 12 * xi, xi);
                }
                for (int c = vectorEnd; c < In; c++)
                {
                    // k[i, j] is f[3i + j], or f[8 - 3i - j] for the flipped kernel.
                    float* f = Flip ? W + ((long)c * Out + o) * 9 : W + ((long)o * In + c) * 9;
                    float k0, k1, k2, k3, k4, k5, k6, k7, k8;
                    if (Flip) (k0, k1, k2, k3, k4, k5, k6, k7, k8) = (f[8], f[7], f[6], f[5], f[4], f[3], f[2], f[1], f[0]);
                    else (k0, k1, k2, k3, k4, k5, k6, k7, k8) = (f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
                    float* u = U + (long)o * In + c;
                    // G k: the rows k0, (k0 + k1 + k2) / 2, (k0 - k1 + k2) / 2, k2 of each column; then (G k) G^T row by row.
                    Row(k0, k1, k2, u, xi);
                    Row(0.5f * (k0 + k3 + k6), 0.5f * (k1 + k4 + k7), 0.5f * (k2 + k5 + k8), u + 4 * xi, xi);
                    Row(0.5f * (k0 - k3 + k6), 0.5f * (k1 - k4 + k7), 0.5f * (k2 - k5 + k8), u + 8 * xi, xi);
                    Row(k6, k7, k8, u + 12 * xi, xi);
                }
            }
        }

        /// <summary>Tap <paramref name="tap"/> of the eight kernels whose tap 0 lies at f + lanes[i].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Tap(float* f, int tap, Vector256<int> lanes) => Avx2.GatherVector256(f + tap, lanes, 4);

        /// <summary>Row (g0, g1, g2) of G k times G^T: g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2, stored xi apart.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Row(float g0, float g1, float g2, float* u, long xi)
        {
            u[0] = g0;
            u[xi] = 0.5f * (g0 + g1 + g2);
            u[2 * xi] = 0.5f * (g0 - g1 + g2);
            u[3 * xi] = g2;
        }

        /// <summary>The same for eight kernels side by side.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Row(Vector256<float> g0, Vector256<float> g1, Vector256<float> g2, float* u, long xi)
        {
            g0.Store(u);
            (0.5f * (g0 + g1 + g2)).Store(u + xi);
            (0.5f * (g0 - g1 + g2)).Store(u + 2 * xi);
            g2.Store(u + 3 * xi);
        }
    }

    /// <summary>
    /// The rows of B^T d for input rows d0..d3 (n floats each): t0 = d0 - d2, t1 = d1 + d2, t2 = d2 - d1, t3 = d1 - d3.
    /// </summary>
    private static void CombineRows(float* d0, float* d1, float* d2, float* d3, float* t0, float* t1, float* t2, float* t3, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> a = Vector256.Load(d0 + i), b = Vector256.Load(d1 + i), c = Vector256.Load(d2 + i), d = Vector256.Load(d3 + i);
                Vector256.Store(a - c, t0 + i);
                Vector256.Store(b + c, t1 + i);
                Vector256.Store(c - b, t2 + i);
                Vector256.Store(b - d, t3 + i);
            }
        for (; i < n; i++)
        {
            float a = d0[i], b = d1[i], c = d2[i], d = d3[i];
            t0[i] = a - c;
            t1[i] = b + c;
            t2[i] = c - b;
            t3[i] = b - d;
        }
    }

    /// <summary>
    /// (t B) for a row t of <paramref name="tiles"/> overlapping 4-wide windows (window j starts at 2j): with columns
    /// e0..e3 of a window, v0 = e0 - e2, v1 = e1 + e2, v2 = e2 - e1, v3 = e1 - e3, stored <paramref name="xi"/> apart.
    /// </summary>
    private static void CombineColumns(float* t, float* v, long xi, int tiles)
    {
        int j = 0;
        if (Avx2.IsSupported)
            for (; j < tiles; j += 8)
            {
                (Vector256<float> e0, Vector256<float> e1) = Unzip(Vector256.Load(t + 2 * j), Vector256.Load(t + 2 * j + 8));
                (Vector256<float> e2, Vector256<float> e3) = Unzip(Vector256.Load(t + 2 * j + 2), Vector256.Load(t + 2 * j + 10));
                Vector256.Store(e0 - e2, v + j);
                Vector256.Store(e1 + e2, v + xi + j);
                Vector256.Store(e2 - e1, v + 2 * xi + j);
                Vector256.Store(e1 - e3, v + 3 * xi + j);
            }
        for (; j < tiles; j++)
        {
            float e0 = t[2 * j], e1 = t[2 * j + 1], e2 = t[2 * j + 2], e3 = t[2 * j + 3];
            v[j] = e0 - e2;
            v[xi + j] = e1 + e2;
            v[2 * xi + j] = e2 - e1;
            v[3 * xi + j] = e1 - e3;
        }
    }

    /// <summary>
    /// A^T m A for a row of <paramref name="tiles"/> tiles whose 16 products lie <paramref name="xi"/> apart: the tiles'
    /// top output rows side by side in <paramref name="top"/>, their bottom rows in <paramref name="bottom"/>.
    /// </summary>
    private static void OutputRows(float* m, long xi, float* top, float* bottom, int tiles)
    {
        int j = 0;
        if (Avx2.IsSupported)
            for (; j < tiles; j += 8)
            {
                float* p = m + j;
                // Rows of A^T m: s0 = m0 + m1 + m2, s1 = m1 - m2 - m3 (each four products wide), then the same on columns.
                Vector256<float> s00 = Vector256.Load(p) + Vector256.Load(p + 4 * xi) + Vector256.Load(p + 8 * xi);
                Vector256<float> s01 = Vector256.Load(p + xi) + Vector256.Load(p + 5 * xi) + Vector256.Load(p + 9 * xi);
                Vector256<float> s02 = Vector256.Load(p + 2 * xi) + Vector256.Load(p + 6 * xi) + Vector256.Load(p + 10 * xi);
                Vector256<float> s03 = Vector256.Load(p + 3 * xi) + Vector256.Load(p + 7 * xi) + Vector256.Load(p + 11 * xi);
                Vector256<float> s10 = Vector256.Load(p + 4 * xi) - Vector256.Load(p + 8 * xi) - Vector256.Load(p + 12 * xi);
                Vector256<float> s11 = Vector256.Load(p + 5 * xi) - Vector256.Load(p + 9 * xi) - Vector256.Load(p + 13 * xi);
                Vector256<float> s12 = Vector256.Load(p + 6 * xi) - Vector256.Load(p + 10 * xi) - Vector256.Load(p + 14 * xi);
                Vector256<float> s13 = Vector256.Load(p + 7 * xi) - Vector256.Load(p + 11 * xi) - Vector256.Load(p + 15 * xi);
                Zip(s00 + s01 + s02, s01 - s02 - s03, top + 2 * j);
                Zip(s10 + s11 + s12, s11 - s12 - s13, bottom + 2 * j);
            }
        for (; j < tiles; j++)
        {
            float* p = m + j;
            float s00 = p[0] + p[4 * xi] + p[8 * xi], s01 = p[xi] + p[5 * xi] + p[9 * xi];
            float s02 = p[2 * xi] + p[6 * xi] + p[10 * xi], s03 = p[3 * xi] + p[7 * xi] + p[11 * xi];
            float s10 = p[4 * xi] - p[8 * xi] - p[12 * xi], s11 = p[5 * xi] - p[9 * xi] - p[13 * xi];
            float s12 = p[6 * xi] - p[10 * xi] - p[14 * xi], s13 = p[7 * xi] - p[11 * xi] - p[15 * xi];
            top[2 * j] = s00 + s01 + s02;
            top[2 * j + 1] = s01 - s02 - s03;
            bottom[2 * j] = s10 + s11 + s12;
            bottom[2 * j + 1] = s11 - s12 - s13;
        }
    }

    /// <summary>Even and odd elements of the 16 floats a then b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Even, Vector256<float> Odd) Unzip(Vector256<float> a, Vector256<float> b)
    {
        // Within each 128-bit half: a0 a2 b0 b2 | a4 a6 b4 b6; then the 64-bit pairs reordered to a0 a2 a4 a6 b0 b2 b4 b6.
        Vector256<float> even = Avx.Shuffle(a, b, 0b10_00_10_00), odd = Avx.Shuffle(a, b, 0b11_01_11_01);
        return (Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle(), Avx2.Permute4x64(odd.AsDouble(), 0b11_01_10_00).AsSingle());
    }

    /// <summary>Stores a0 b0 a1 b1 ... a7 b7 at <paramref name="to"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Zip(Vector256<float> a, Vector256<float> b, float* to)
    {
        Vector256<float> low = Avx.UnpackLow(a, b), high = Avx.UnpackHigh(a, b);
        Vector256.Store(Avx.Permute2x128(low, high, 0x20), to);
        Vector256.Store(Avx.Permute2x128(low, high, 0x31), to + 8);
    }
}
