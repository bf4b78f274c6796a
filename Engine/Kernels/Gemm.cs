using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MlPipelines.Engine.Compute;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major matrices:
/// C = alpha * op(A) * op(B) + beta * C, with op(X) = X or X^T.
/// Packed and blocked (GotoBLAS layout): B is packed into panels of NR columns, A into panels of
/// MR rows (scaled by alpha while packing), and an MR x NR register-blocked micro-kernel accumulates
/// into C. Threads split C into fixed row or column blocks and never split K, so results are
/// bit-identical for every thread count.
/// </summary>
internal static unsafe class Gemm
{
    private const int KC = 256;
    private const int NC = 3072;

    /// <summary>
    /// Columns of B packed at a time when all of A's rows are one block (at most <see cref="MC"/>): B's packed block is
    /// then read by a single pass of tiles, and a block of KC x NC floats (3 MB) went out of L2 before that pass read it
    /// back. At 768 it stays there (MobileNetV2's 1x1 layers at batch 32: 192x14x14 -> 64 1.2-1.7x faster, the
    /// projections above with <see cref="StridedDirectDepth"/>; 384 and 1536 were slower). The columns are cut into
    /// even blocks of whole panels, so a product of 784 columns (four 14x14 maps) is not 768 plus a block of 16.
    /// </summary>
    private const int SmallNC = 768;

    /// <summary>
    /// Rows per A panel: 8 with AVX-512 (an 8x32 tile: 16 of its 32 registers accumulate), 6 with AVX2 (a 6x16 tile: 12 of
    /// its 16 registers accumulate, two hold B and one the broadcast A value; 12 independent FMA chains keep both FMA pipes
    /// busy through their 4-cycle latency, where an 8x16 tile run as two 4x16 halves had exactly 8 and no slack), 8 scalar.
    /// </summary>
    internal static int MR => Vector512.IsHardwareAccelerated ? 8 : Vector256.IsHardwareAccelerated ? 6 : 8;

    /// <summary>Rows of A packed at a time: a whole number of panels.</summary>
    private static int MC => MR * 16;

    /// <summary>
    /// Up to this many rows of C, an implicit B (a row table: a convolution's shifted windows, whose rows overlap and share
    /// cache lines) is read in place rather than packed. A B with rows a stride apart: see <see cref="StridedDirectRows"/>.
    /// </summary>
    private const int DirectRowsLimit = 64;

    /// <summary>
    /// Up to this many rows of C (four panels), a B with rows a stride apart is read in place rather than packed: each
    /// packed panel would serve at most four tiles. MobileNet's and EfficientNet's 1x1 projections (24-32 output channels
    /// over a 56x56 map) ran 1.3-1.7x faster so (AVX-512: 24x3136x96 91 -> 147 GFLOP/s; AVX2 1.35-1.45x); from six panels
    /// on, packing won or tied (48x3136x288 0.96x, 64x1024x576 0.95x). Only for a B of at most
    /// <see cref="StridedDirectDepth"/> rows, though.
    /// </summary>
    private static int StridedDirectRows => 4 * MR;

    /// <summary>
    /// Most rows of a strided B read in place. Each tile reads 128 bytes from every row of B, one stream per row, and past
    /// some 32 streams the hardware prefetchers stop following: on a B that comes from memory (the input of a 1x1 projection
    /// at batch 32) every read then waits. Packing reads B a row at a time instead: MobileNetV2's 96- and 144-channel
    /// projections to 24 channels over 56x56 maps ran 1.4-1.6x faster so (with <see cref="SmallNC"/>), though a B already
    /// in cache is read faster in place (16x1055x144 repeated on one B: 0.76x).
    /// </summary>
    private const int StridedDirectDepth = 32;

    /// <summary>Up to this many rows of C, <see cref="SgemmRowTable"/> reads its B in place instead of packing it.</summary>
    internal const int InPlaceRowTableRows = DirectRowsLimit;

    /// <summary>
    /// Up to this many B panels per block, A is read in place rather than packed (AVX2, A not transposed, alpha 1): each
    /// A value then serves at most this many tiles, too few to repay packing it. A convolution's weights times the few
    /// columns of a small map at batch 1 (a ResNet's 4x4 and 2x2 stages) is such a product.
    /// </summary>
    private const int DirectAPanels = 2;

    /// <summary>Columns per B panel: two vectors of the widest accelerated width (scalar code uses 8).</summary>
    internal static int NR => Vector512.IsHardwareAccelerated ? 32 : Vector256.IsHardwareAccelerated ? 16 : 8;

    [ThreadStatic] private static float[]? t_packA;
    [ThreadStatic] private static float[]? t_packB;

    /// <summary>
    /// C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C[m, n].
    /// A is stored [m, k] (lda >= k) or, when <paramref name="transA"/>, [k, m] (lda >= m).
    /// B is stored [k, n] (ldb >= n) or, when <paramref name="transB"/>, [n, k] (ldb >= k).
    /// When beta is 0, C is overwritten (NaNs in C do not propagate).
    /// </summary>
    public static void Sgemm(
        bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc,
        int threads = 1) =>
        Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, default(NothingDone));

    /// <summary>
    /// <see cref="Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int, int)"/>,
    /// handing each finished block of C to <paramref name="done"/> on the thread that computed it (see <see cref="IBlockDone"/>).
    /// </summary>
    public static void Sgemm<TDone>(
        bool transA, bool transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc,
        int threads, in TDone done)
        where TDone : unmanaged, IBlockDone
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), "Matrix sizes must not be negative.");
        if (m == 0 || n == 0) return;
        CheckOperand(a, transA ? k : m, transA ? m : k, lda, nameof(a));
        CheckOperand(b, transB ? n : k, transB ? k : n, ldb, nameof(b));
        CheckOperand(c, m, n, ldc, nameof(c));

        if (k == 0 || alpha == 0)
        {
            ScaleC(c, m, n, ldc, beta);
            done.Done(0, m, 0, n);
            return;
        }
        // beta 0: the first K block stores its tiles instead of adding them, so C is neither cleared nor read.
        if (beta != 0) ScaleC(c, m, n, ldc, beta);
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (SwapPays(m, n, alpha))
            {
                // C^T = op(B)^T op(A)^T: the few rows of C become the few columns of a product the column kernels run.
                Execute(new Job(pb, ldb, !transB, pa, lda, !transA, pc, ldc, k, alpha, null, beta == 0, transposedC: true), n, m, k, threads, done);
                return;
            }
            Execute(new Job(pa, lda, transA, pb, ldb, transB, pc, ldc, k, alpha, null, beta == 0), m, n, k, threads, done);
        }
    }

    /// <summary>
    /// What a caller does with each block of C once it is final: called on the thread that computed the block, right after
    /// it (while it is in that core's cache), once per block of a product split over threads and once, for all of C, for a
    /// product on one thread. A convolution applies its epilogue so, in parallel instead of after the product.
    /// </summary>
    internal interface IBlockDone
    {
        /// <summary>Rows [m0, m1) and columns [n0, n1) of C are final.</summary>
        void Done(int m0, int m1, int n0, int n1);
    }

    /// <summary>Nothing to do with finished blocks.</summary>
    internal readonly struct NothingDone : IBlockDone
    {
        public void Done(int m0, int m1, int n0, int n1)
        {
        }
    }

    /// <summary>Floats a prepacked A of <paramref name="m"/> x <paramref name="k"/> takes (<see cref="PackA"/>; + 8: a 6-row panel is packed with 8-float stores).</summary>
    public static int PackedALength(int m, int k) => PanelRows(m) * k + 8;

    /// <summary><paramref name="m"/> rounded up to whole MR-row panels: the rows of each K block of a prepacked A.</summary>
    private static int PanelRows(int m) => (m + MR - 1) / MR * MR;

    /// <summary>
    /// Packs A [m, k] (row-major, lda >= k) the way every product with this A packs it, K block after K block, so that
    /// <see cref="SgemmPackedA"/> skips the packing: an A used by many products (a Winograd layer's transformed kernels,
    /// one product per block of tiles) is packed once instead of once a product.
    /// </summary>
    public static void PackA(ReadOnlySpan<float> a, int m, int k, int lda, Span<float> packed)
    {
        if (m <= 0 || k <= 0) throw new ArgumentOutOfRangeException(nameof(m), "A prepacked A needs rows and columns.");
        CheckOperand(a, m, k, lda, nameof(a));
        if (packed.Length < PackedALength(m, k)) throw new ArgumentException($"packed holds {packed.Length} floats; {PackedALength(m, k)} needed.", nameof(packed));
        int rows = PanelRows(m);
        fixed (float* pa = a, pp = packed)
        {
            var job = new Job(pa, lda, false, null, 0, false, null, 0, k, 1, null, true);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                for (int ic = 0; ic < m; ic += MC) job.PackA(pp + (long)pc * rows + (long)ic * kc, ic, pc, Math.Min(MC, m - ic), kc);
            }
        }
    }

    /// <summary>
    /// C[m, n] = A[m, k] B[k, n] with A prepacked by <see cref="PackA"/>: the same tiles, products and bits as
    /// <see cref="Sgemm"/> (alpha 1, beta 0, nothing transposed), without packing A.
    /// </summary>
    public static void SgemmPackedA(int m, int n, int k, ReadOnlySpan<float> packedA, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int threads = 1) =>
        SgemmPackedA(m, n, k, packedA, b, ldb, c, ldc, threads, default(NothingDone));

    /// <summary><see cref="SgemmPackedA(int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, int, Span{float}, int, int)"/>, handing finished blocks of C to <paramref name="done"/>.</summary>
    public static void SgemmPackedA<TDone>(int m, int n, int k, ReadOnlySpan<float> packedA, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int threads,
        in TDone done)
        where TDone : unmanaged, IBlockDone
    {
        if (m <= 0 || n < 0 || k <= 0) throw new ArgumentOutOfRangeException(nameof(m), "A prepacked A has rows and columns; n must not be negative.");
        if (n == 0) return;
        if (packedA.Length < PackedALength(m, k)) throw new ArgumentException($"packedA holds {packedA.Length} floats; {PackedALength(m, k)} needed for {m}x{k}.", nameof(packedA));
        CheckOperand(b, k, n, ldb, nameof(b));
        CheckOperand(c, m, n, ldc, nameof(c));
        fixed (float* pa = packedA, pb = b, pc = c)
            Execute(new Job(null, 0, false, pb, ldb, false, pc, ldc, k, 1, null, true, packedA: pa, packedRows: PanelRows(m)), m, n, k, threads, done);
    }

    /// <summary>
    /// Up to this many columns of C, an AVX-512 product runs the column kernels (<see cref="ColumnKernel"/>) rather than
    /// 8x32 tiles: batch-1 inference on a ResNet's 2x2 maps multiplies megabytes of weights by 4 columns, of which a 32-column
    /// tile computes eight times as many, and a classifier at batch 1 is a single row (run transposed, <see cref="SwapPays"/>).
    /// </summary>
    private const int ColumnPathWidth = 8;

    /// <summary>
    /// Whether a product of few rows and many columns runs transposed, so its rows become the column kernels' few columns
    /// (AVX-512; alpha 1, since packing scales the packed operand by alpha and the swap packs the other one: the products,
    /// and so the bits, are then those of the tiles).
    /// </summary>
    private static bool SwapPays(int m, int n, float alpha) =>
        Vector512.IsHardwareAccelerated && alpha == 1 && m <= ColumnPathWidth && n > ColumnPathWidth;

    /// <summary>
    /// C[m, n] = alpha * A[m, k] * B[k, n] + beta * C[m, n] where row p of B is the n floats from
    /// <c>b[bRowOffsets[p]]</c> on: an implicit matrix whose rows are views into one buffer, such as the shifted windows of
    /// a zero-bordered image a convolution reads (see <see cref="Conv2d"/>), so nothing has to be unfolded first. Where b
    /// extends a whole <see cref="NR"/>-column panel past every row's n columns, few-row products read even the last,
    /// ragged panel in place (otherwise it is copied, value by value, for every K block).
    /// </summary>
    public static void SgemmRowTable(
        int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, ReadOnlySpan<int> bRowOffsets,
        float beta, Span<float> c, int ldc,
        int threads = 1) =>
        SgemmRowTable(m, n, k, alpha, a, lda, b, bRowOffsets, beta, c, ldc, threads, default(NothingDone));

    /// <summary>
    /// <see cref="SgemmRowTable(int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, ReadOnlySpan{int}, float, Span{float}, int, int)"/>,
    /// handing finished blocks of C to <paramref name="done"/>.
    /// </summary>
    public static void SgemmRowTable<TDone>(
        int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, ReadOnlySpan<int> bRowOffsets,
        float beta, Span<float> c, int ldc,
        int threads, in TDone done)
        where TDone : unmanaged, IBlockDone
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), "Matrix sizes must not be negative.");
        bool padded = CheckRowTable(n, k, b, bRowOffsets);
        if (m == 0 || n == 0) return;
        CheckOperand(a, m, k, lda, nameof(a));
        CheckOperand(c, m, n, ldc, nameof(c));
        if (k == 0 || alpha == 0)
        {
            ScaleC(c, m, n, ldc, beta);
            done.Done(0, m, 0, n);
            return;
        }
        if (beta != 0) ScaleC(c, m, n, ldc, beta);
        fixed (float* pa = a, pb = b, pc = c)
        fixed (int* rows = bRowOffsets)
            Execute(new Job(pa, lda, false, pb, 0, false, pc, ldc, k, alpha, rows, beta == 0, bRowsPadded: padded), m, n, k, threads, done);
    }

    /// <summary>
    /// C[m, n] = A[m, k] B[k, n] with A prepacked by <see cref="PackA"/> and B a row table (<see cref="SgemmRowTable"/>):
    /// the same tiles and bits as <see cref="SgemmRowTable"/> with alpha 1 and beta 0, without packing A.
    /// </summary>
    public static void SgemmRowTablePackedA(int m, int n, int k, ReadOnlySpan<float> packedA, ReadOnlySpan<float> b, ReadOnlySpan<int> bRowOffsets,
        Span<float> c, int ldc, int threads = 1) =>
        SgemmRowTablePackedA(m, n, k, packedA, b, bRowOffsets, c, ldc, threads, default(NothingDone));

    /// <summary>
    /// <see cref="SgemmRowTablePackedA(int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int)"/>,
    /// handing finished blocks of C to <paramref name="done"/>.
    /// </summary>
    public static void SgemmRowTablePackedA<TDone>(int m, int n, int k, ReadOnlySpan<float> packedA, ReadOnlySpan<float> b, ReadOnlySpan<int> bRowOffsets,
        Span<float> c, int ldc, int threads, in TDone done)
        where TDone : unmanaged, IBlockDone
    {
        if (m <= 0 || n < 0 || k <= 0) throw new ArgumentOutOfRangeException(nameof(m), "A prepacked A has rows and columns; n must not be negative.");
        if (packedA.Length < PackedALength(m, k)) throw new ArgumentException($"packedA holds {packedA.Length} floats; {PackedALength(m, k)} needed for {m}x{k}.", nameof(packedA));
        bool padded = CheckRowTable(n, k, b, bRowOffsets);
        if (n == 0) return;
        CheckOperand(c, m, n, ldc, nameof(c));
        fixed (float* pa = packedA, pb = b, pc = c)
        fixed (int* rows = bRowOffsets)
            Execute(new Job(null, 0, false, pb, 0, false, pc, ldc, k, 1, rows, true, bRowsPadded: padded, packedA: pa, packedRows: PanelRows(m)), m, n, k, threads, done);
    }

    /// <summary>
    /// Checks that each of the k rows of a row table lies inside b, and returns whether every row can be read a whole
    /// panel past its n columns (the caller left slack after the last row): a ragged last panel is then read in place like
    /// the others, its extra columns computed into the scratch tile only.
    /// </summary>
    private static bool CheckRowTable(int n, int k, ReadOnlySpan<float> b, ReadOnlySpan<int> bRowOffsets)
    {
        if (bRowOffsets.Length < k) throw new ArgumentException($"B needs {k} row offsets, {bRowOffsets.Length} given.", nameof(bRowOffsets));
        int lastRow = 0;
        for (int p = 0; p < k; p++)
        {
            if (bRowOffsets[p] < 0 || (long)bRowOffsets[p] + n > b.Length)
                throw new ArgumentException($"Row {p} of B (offset {bRowOffsets[p]}, {n} columns) lies outside the {b.Length} elements of b.", nameof(bRowOffsets));
            lastRow = Math.Max(lastRow, bRowOffsets[p]);
        }
        return (long)lastRow + (n + NR - 1) / NR * NR <= b.Length;
    }

    private static void ScaleC(Span<float> c, int m, int n, int ldc, float beta)
    {
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0) row.Clear();
            else if (beta != 1) System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>Multiply-adds from which a product is split over threads (see <see cref="Execute"/>).</summary>
    internal const long SplitWork = 1L << 19;

    /// <summary>
    /// Runs a job on one thread, or split over threads when it is large enough to pay for them, handing each finished block
    /// of C to <paramref name="done"/> (in C's coordinates, also for a swapped product).
    /// </summary>
    private static void Execute<TDone>(Job job, int m, int n, int k, int threads, in TDone done) where TDone : unmanaged, IBlockDone
    {
        // Half a million multiply-adds (about 10 us a thread) pay for a split now that idle pool threads spin before they
        // sleep; at 2^21 a batch-1 ResNet-20 left its second thread idle in every 3x3 layer. A product of a few columns
        // streams A, each value for those few multiply-adds: it costs about what ColumnPathWidth columns would (a
        // classifier's 1000 x 512 weights at batch 1 took 170 us on one thread).
        long work = (long)m * Math.Max(n, ColumnPathWidth) * k;
        int chunks = threads <= 1 || work < SplitWork ? 1 : threads;
        if (chunks > 1)
        {
            RunParallel(job, m, n, chunks, done);
            return;
        }
        job.Run(0, m, 0, n);
        if (job.TransposedC) done.Done(0, n, 0, m);
        else done.Done(0, m, 0, n);
    }

    /// <summary>
    /// Splits C into blocks aligned to the micro-tile, so threads never share a tile: the longer side, or the rows where
    /// that spares packing.
    /// </summary>
    private static void RunParallel<TDone>(Job job, int m, int n, int chunks, in TDone done) where TDone : unmanaged, IBlockDone
    {
        bool splitRows = m >= n;
        // Each thread of a column split packs all of A; each of a row split reads all of B, in place where the rows a thread
        // gets allow. With A not packed ahead, rows are the cheaper split unless B is far the larger: a convolution's grid
        // at batch 1 (16x812x144: 1.8x from two threads split by columns, 1.1x by rows; 32x210x288 and 64x272x576 1.6x by
        // columns, 1.8-1.9x by rows).
        if (!splitRows && !job.TransposedC && !job.HasPackedA && m >= chunks * MR && 8 * m >= n && job.ReadsBInPlace((m + chunks - 1) / chunks)) splitRows = true;
        int unit = splitRows ? MR : NR;
        int units = ((splitRows ? m : n) + unit - 1) / unit;
        chunks = Math.Min(chunks, units);
        var body = new BlockBody<TDone> { Job = job, M = m, N = n, Unit = unit, Units = units, Chunks = chunks, SplitRows = splitRows, Done = done };
        DeterministicParallel.For(chunks, chunks, 1, body);
    }

    /// <summary>One work item per block of rows (or columns) of C, each handed to Done once computed.</summary>
    private struct BlockBody<TDone> : IChunkBody where TDone : unmanaged, IBlockDone
    {
        public Job Job;
        public int M, N, Unit, Units, Chunks;
        public bool SplitRows;
        public TDone Done;

        public readonly void Run(int c0, int c1)
        {
            for (int ci = c0; ci < c1; ci++)
            {
                (int s, int e) = DeterministicParallel.ChunkRange(Units, Chunks, ci);
                int lo = s * Unit, hi = Math.Min(e * Unit, SplitRows ? M : N);
                if (lo >= hi) continue;
                (int m0, int m1, int n0, int n1) = SplitRows ? (lo, hi, 0, N) : (0, M, lo, hi);
                Job.Run(m0, m1, n0, n1);
                if (Job.TransposedC) Done.Done(n0, n1, m0, m1);
                else Done.Done(m0, m1, n0, n1);
            }
        }
    }

    private static void CheckOperand(ReadOnlySpan<float> x, int rows, int cols, int ld, string name)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentOutOfRangeException(name, $"Leading dimension {ld} is smaller than the row length {cols}.");
        if (rows > 0 && cols > 0 && (long)(rows - 1) * ld + cols > x.Length)
            throw new ArgumentException($"Matrix {name} needs {(long)(rows - 1) * ld + cols} elements, the span has {x.Length}.", name);
    }

    /// <summary>
    /// The operands of one multiplication, as raw pointers pinned by the caller. Row p of B starts at b + p * ldb, or at
    /// b + bRows[p] when a row table is given (never with transB); with <paramref name="bRowsPadded"/> those rows can be
    /// read a whole panel past n. With <paramref name="overwrite"/> the first K block stores into C rather than adding to
    /// it (beta 0). With <paramref name="transposedC"/> the job computes C^T (a swapped product, column kernels only). With
    /// <paramref name="packedA"/> (<see cref="PackA"/>'s layout, <paramref name="packedRows"/> rows rounded up to panels) A
    /// is not packed again.
    /// </summary>
    private readonly struct Job(float* a, int lda, bool transA, float* b, int ldb, bool transB, float* c, int ldc, int k, float alpha, int* bRows, bool overwrite, bool transposedC = false, bool bRowsPadded = false, float* packedA = null, int packedRows = 0)
    {
        /// <summary>Whether the job computes C^T (a swapped product): its rows are C's columns.</summary>
        public bool TransposedC => transposedC;

        /// <summary>Whether A comes packed ahead (<see cref="PackA"/>'s panels).</summary>
        public bool HasPackedA => packedA is not null;

        /// <summary>Whether a block of <paramref name="rows"/> rows reads B in place rather than packing it (see Run).</summary>
        public bool ReadsBInPlace(int rows) =>
            !transposedC && !transB && NR != 8 && (bRows is null ? rows <= StridedDirectRows && k <= StridedDirectDepth : rows <= DirectRowsLimit);

        /// <summary>Column <paramref name="col"/> of row <paramref name="p"/> of B (not transposed).</summary>
        private float* RowB(int p, int col) => (bRows is null ? b + (long)p * ldb : b + bRows[p]) + col;

        /// <summary>Computes C[m0..m1, n0..n1] += alpha * A B on the calling thread.</summary>
        public void Run(int m0, int m1, int n0, int n1)
        {
            int nr = NR;
            if (transposedC || (nr == 32 && n1 - n0 <= ColumnPathWidth))
            {
                RunColumns(m0, m1, n0, n1);
                return;
            }
            float* packA = AlignedBuffer(ref t_packA, MC * KC + 8); // + 8: a 6-row panel is packed with 8-float stores
            float* packB = AlignedBuffer(ref t_packB, KC * (NC + nr));
            // With few rows of A, packing B costs about as much as using it: read B's rows in place instead (see
            // DirectRowsLimit). A ragged last panel is packed so no read passes the end of a row, unless the rows are known
            // to have a panel of slack after them (bRowsPadded).
            bool direct = !transB && nr != 8 && (bRows is null ? m1 - m0 <= StridedDirectRows && k <= StridedDirectDepth : m1 - m0 <= DirectRowsLimit);
            bool directA = packedA is null && !transA && alpha == 1 && nr == 16 && n1 - n0 <= DirectAPanels * nr;
            int ncMax = NC;
            if (m1 - m0 <= MC)
            {
                // Blocks of at most SmallNC columns, as even as whole panels allow (784 columns: 416 + 368, not 768 + 16).
                int blocks = (n1 - n0 + SmallNC - 1) / SmallNC;
                ncMax = ((n1 - n0 + blocks - 1) / blocks + nr - 1) / nr * nr;
            }
            for (int jc = n0; jc < n1; jc += ncMax)
            {
                int nc = Math.Min(ncMax, n1 - jc);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    bool store = overwrite && pc == 0;
                    if (!direct) PackB(packB, pc, jc, kc, nc, nr);
                    for (int ic = m0; ic < m1; ic += MC)
                    {
                        int mc = Math.Min(MC, m1 - ic);
                        float* blockA = BlockA(packA, ic, pc, mc, kc, directA);
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int nRem = Math.Min(nr, nc - jr);
                            bool inPlace = direct && (nRem == nr || bRowsPadded);
                            float* bPanel = packB + (long)jr * kc;
                            if (direct && !inPlace)
                            {
                                PackB(packB, pc, jc + jr, kc, nRem, nr);
                                bPanel = packB;
                            }
                            for (int ir = 0; ir < mc; ir += MR)
                            {
                                int mRem = Math.Min(MR, mc - ir);
                                float* cTile = c + (long)(ic + ir) * ldc + jc + jr;
                                float* panel = inPlace ? null : bPanel;
                                if (directA) Tile(kc, a + (long)(ic + ir) * lda + pc, new DirectA(lda), panel, pc, jc + jr, cTile, mRem, nRem, store);
                                else Tile(kc, blockA + (long)ir * kc, default(PackedA), panel, pc, jc + jr, cTile, mRem, nRem, store);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// The column path (AVX-512, at most <see cref="ColumnPathWidth"/> columns): A packed into 8-row panels as for the
        /// tiles, the few columns of B copied into a [kc, 8] block, and C computed 32 rows by 4 columns at a time, each
        /// element summing the same products in the same order as a tile would, so the bits are the tiles' bits.
        /// </summary>
        private void RunColumns(int m0, int m1, int n0, int n1)
        {
            int n = n1 - n0;
            float* packA = AlignedBuffer(ref t_packA, MC * KC + 8);
            float* packB = AlignedBuffer(ref t_packB, KC * ColumnPathWidth);
            // Element (i, j) of C: at c + i ldc + j, or at c + j ldc + i for a swapped product (C^T computed).
            nint rowStride = transposedC ? 1 : ldc, colStride = transposedC ? ldc : 1;
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                bool store = overwrite && pc == 0;
                for (int p = 0; p < kc; p++)
                {
                    float* row = packB + p * ColumnPathWidth;
                    for (int j = 0; j < ColumnPathWidth; j++)
                        row[j] = j >= n ? 0 : transB ? b[(long)(n0 + j) * ldb + pc + p] : RowB(pc + p, n0 + j)[0];
                }
                for (int ic = m0; ic < m1; ic += MC)
                {
                    int mc = Math.Min(MC, m1 - ic);
                    float* blockA = BlockA(packA, ic, pc, mc, kc, direct: false);
                    for (int ir = 0; ir < mc; ir += ColumnKernelRows)
                        for (int jr = 0; jr < n; jr += ColumnKernelColumns)
                            ColumnKernel(kc, blockA + (long)ir * kc, packB + jr, c + (ic + ir) * rowStride + (n0 + jr) * colStride, rowStride, colStride,
                                Math.Min(ColumnKernelRows, mc - ir), Math.Min(ColumnKernelColumns, n - jr), store);
                }
            }
        }

        /// <summary>
        /// One micro-tile, A at <paramref name="pa"/> laid out as TA says; B from a packed <paramref name="panel"/>, or (panel
        /// null) read in place from row <paramref name="pc"/>, column <paramref name="col"/> on.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Tile<TA>(int kc, float* pa, TA layout, float* panel, int pc, int col, float* cTile, int mRem, int nRem, bool store)
            where TA : struct, IALayout
        {
            int nr = NR;
            if (panel is not null) MicroKernel(kc, pa, layout, new StridedRows(panel, nr), cTile, ldc, mRem, nRem, nr, store);
            else if (bRows is null) MicroKernel(kc, pa, layout, new StridedRows(b + (long)pc * ldb + col, ldb), cTile, ldc, mRem, nRem, nr, store);
            else MicroKernel(kc, pa, layout, new TableRows(b + col, bRows + pc), cTile, ldc, mRem, nRem, nr, store);
        }

        /// <summary>
        /// The packed panels of rows [ic, ic + mc) for the K block at <paramref name="pc"/>: in the prepacked A, or packed now
        /// into <paramref name="buffer"/> (unless A is read in place, <paramref name="direct"/>).
        /// </summary>
        private float* BlockA(float* buffer, int ic, int pc, int mc, int kc, bool direct)
        {
            if (packedA is not null) return packedA + (long)pc * packedRows + (long)ic * kc;
            if (!direct) PackA(buffer, ic, pc, mc, kc);
            return buffer;
        }

        /// <summary>Packs op(A)[ic.., pc..] scaled by alpha into MR-row panels: panel p holds kc columns of MR values.</summary>
        public void PackA(float* dst, int ic, int pc, int mc, int kc)
        {
            for (int ir = 0; ir < mc; ir += MR)
            {
                int rows = Math.Min(MR, mc - ir);
                float* panel = dst + (long)ir * kc;
                if (transA)
                {
                    // A step's MR values are adjacent: one vector of 8 (for a 6-row panel, only where the block has two more rows to read).
                    bool vector = Avx.IsSupported && rows == MR && MR <= 8 && ir + 8 <= mc;
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = a + (long)(pc + p) * lda + ic + ir;
                        float* col = panel + p * MR;
                        if (vector)
                        {
                            // Stores overlap for MR 6: the two extra lanes land where the next step (or panel) writes after.
                            (Vector256.Load(src) * alpha).Store(col);
                            continue;
                        }
                        for (int i = 0; i < rows; i++) col[i] = alpha * src[i];
                        for (int i = rows; i < MR; i++) col[i] = 0;
                    }
                }
                else if (Avx.IsSupported && rows == MR && MR <= 8)
                {
                    PackRowsTransposed(panel, a + (long)(ic + ir) * lda + pc, lda, kc, alpha);
                }
                else
                {
                    for (int i = 0; i < rows; i++)
                    {
                        float* src = a + (long)(ic + ir + i) * lda + pc;
                        for (int p = 0; p < kc; p++) panel[p * MR + i] = alpha * src[p];
                    }
                    for (int i = rows; i < MR; i++)
                        for (int p = 0; p < kc; p++) panel[p * MR + i] = 0;
                }
            }
        }

        /// <summary>
        /// Packs op(B)[pc.., jc..] into NR-column panels: panel j holds kc rows of NR values. Whole vector panels are copied a
        /// row of B at a time (B not transposed: reads run along B's rows and every row lies on few pages) or transposed in
        /// 8x8 blocks; a ragged last panel, and the scalar build, go value by value.
        /// </summary>
        private void PackB(float* dst, int pc, int jc, int kc, int nc, int nr)
        {
            int whole = Avx.IsSupported && nr >= 16 ? nc / nr * nr : 0;
            if (whole > 0 && !transB)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = RowB(pc + p, jc);
                    float* row = dst + p * nr;
                    for (int j = 0; j < whole; j += nr)
                        for (int v = 0; v < nr; v += 8) Vector256.Load(src + j + v).Store(row + (long)j * kc + v);
                }
            }
            else if (whole > 0)
            {
                // B is stored [n, k]: eight of its rows give eight columns of op(B) for eight steps of k at once.
                int kc8 = kc & ~7;
                for (int j = 0; j < whole; j += 8)
                {
                    float* src = b + (long)(jc + j) * ldb + pc;
                    float* panel = dst + (long)(j / nr * nr) * kc + j % nr;
                    for (int p = 0; p < kc8; p += 8)
                        StoreTransposed(
                            Vector256.Load(src + p), Vector256.Load(src + ldb + p), Vector256.Load(src + 2L * ldb + p), Vector256.Load(src + 3L * ldb + p),
                            Vector256.Load(src + 4L * ldb + p), Vector256.Load(src + 5L * ldb + p), Vector256.Load(src + 6L * ldb + p), Vector256.Load(src + 7L * ldb + p),
                            panel + p * nr, nr);
                    for (int p = kc8; p < kc; p++)
                        for (int i = 0; i < 8; i++) panel[p * nr + i] = src[i * (long)ldb + p];
                }
            }
            for (int jr = whole; jr < nc; jr += nr)
            {
                int cols = Math.Min(nr, nc - jr);
                float* panel = dst + (long)jr * kc;
                if (!transB)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = RowB(pc + p, jc + jr);
                        float* row = panel + p * nr;
                        for (int j = 0; j < cols; j++) row[j] = src[j];
                        for (int j = cols; j < nr; j++) row[j] = 0;
                    }
                }
                else
                {
                    for (int j = 0; j < cols; j++)
                    {
                        float* src = b + (long)(jc + jr + j) * ldb + pc;
                        for (int p = 0; p < kc; p++) panel[p * nr + j] = src[p];
                    }
                    if (cols < nr)
                        for (int p = 0; p < kc; p++)
                            for (int j = cols; j < nr; j++) panel[p * nr + j] = 0;
                }
            }
        }
    }

    /// <summary>
    /// Packs MR (6 or 8) rows of A, <paramref name="lda"/> apart, scaled by alpha into a panel of kc steps of MR values:
    /// eight steps at a time as an 8x8 transpose (a 6-row panel transposes two zero rows and stores 8 values a step, the
    /// two extra landing where the next step, or the next panel, writes after; the buffer has room past its end).
    /// </summary>
    private static void PackRowsTransposed(float* panel, float* src, int lda, int kc, float alpha)
    {
        int mr = MR;
        float* s0 = src, s1 = src + lda, s2 = src + 2L * lda, s3 = src + 3L * lda, s4 = src + 4L * lda, s5 = src + 5L * lda;
        float* s6 = mr == 8 ? src + 6L * lda : null, s7 = mr == 8 ? src + 7L * lda : null;
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            Vector256<float> r6 = mr == 8 ? Vector256.Load(s6 + p) * alpha : default, r7 = mr == 8 ? Vector256.Load(s7 + p) * alpha : default;
            StoreTransposed(
                Vector256.Load(s0 + p) * alpha, Vector256.Load(s1 + p) * alpha, Vector256.Load(s2 + p) * alpha,
                Vector256.Load(s3 + p) * alpha, Vector256.Load(s4 + p) * alpha, Vector256.Load(s5 + p) * alpha, r6, r7,
                panel + p * mr, mr);
        }
        for (; p < kc; p++)
        {
            float* col = panel + p * mr;
            col[0] = alpha * s0[p]; col[1] = alpha * s1[p]; col[2] = alpha * s2[p];
            col[3] = alpha * s3[p]; col[4] = alpha * s4[p]; col[5] = alpha * s5[p];
            if (mr == 8)
            {
                col[6] = alpha * s6[p];
                col[7] = alpha * s7[p];
            }
        }
    }

    /// <summary>
    /// Stores the transpose of the 8x8 block whose rows are r0..r7: column j (r0[j], ..., r7[j]) at dst + j * stride, in
    /// order of j, so with a stride under 8 each store's tail is overwritten by the next.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTransposed(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* dst, nint stride)
    {
        // Pairs of rows interleaved, then pairs of pairs: u0 = (r0[0], r1[0], r2[0], r3[0] | the same for column 4), and so on.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).Store(dst);
        Avx.Permute2x128(u1, u5, 0x20).Store(dst + stride);
        Avx.Permute2x128(u2, u6, 0x20).Store(dst + 2 * stride);
        Avx.Permute2x128(u3, u7, 0x20).Store(dst + 3 * stride);
        Avx.Permute2x128(u0, u4, 0x31).Store(dst + 4 * stride);
        Avx.Permute2x128(u1, u5, 0x31).Store(dst + 5 * stride);
        Avx.Permute2x128(u2, u6, 0x31).Store(dst + 6 * stride);
        Avx.Permute2x128(u3, u7, 0x31).Store(dst + 7 * stride);
    }

    /// <summary>Walks the rows of a B panel: <see cref="Next"/> returns the current row's first column and moves to the next row.</summary>
    private interface IPanelRows
    {
        float* Next();
    }

    /// <summary>Rows a fixed distance apart (a packed panel, or B read in place).</summary>
    private struct StridedRows(float* first, int stride) : IPanelRows
    {
        private float* _row = first;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Next()
        {
            float* r = _row;
            _row += stride;
            return r;
        }
    }

    /// <summary>Rows at offsets from a table (an implicit B read in place).</summary>
    private struct TableRows(float* column, int* offsets) : IPanelRows
    {
        private int* _offset = offsets;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Next() => column + *_offset++;
    }

    /// <summary>Where A's values for one step of k lie: row i at pa + Row(i), the next step at pa + Step.</summary>
    private interface IALayout
    {
        nint Row(int i);

        nint Step { get; }
    }

    /// <summary>A packed panel: the MR values of a step side by side.</summary>
    private readonly struct PackedA : IALayout
    {
        public nint Row(int i) => i;

        public nint Step => MR;
    }

    /// <summary>A read in place: rows lda apart, steps of k adjacent (AVX2 kernels only).</summary>
    private readonly struct DirectA(nint lda) : IALayout
    {
        public nint Row(int i) => i * lda;

        public nint Step => 1;
    }

    /// <summary>
    /// C[mRem, nRem] += the A panel at <paramref name="pa"/> (laid out as TA says) x the B[kc, nr]-panel <paramref name="rows"/>
    /// walks. Inlined into the tile loop: with a short k (a pointwise layer of 16-24 input channels) a tile is 100-150
    /// cycles, and two more calls with ten arguments each were a tenth of that.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MicroKernel<TRows, TA>(int kc, float* pa, TA layout, TRows rows, float* c, int ldc, int mRem, int nRem, int nr, bool store)
        where TRows : struct, IPanelRows
        where TA : struct, IALayout
    {
        if (nr == 32 && nRem == 16 && mRem == MR)
        {
            Kernel512Half(kc, pa, rows, c, ldc, store);
            return;
        }
        if (nRem == nr)
        {
            if (nr == 32)
            {
                if (mRem == MR)
                {
                    Kernel512(kc, pa, rows, c, ldc, store);
                    return;
                }
            }
            else if (nr == 16)
            {
                Avx2Tile<TRows, Count2, TA>(kc, pa, layout, rows, c, ldc, mRem, store);
                return;
            }
            else if (mRem == MR)
            {
                KernelScalar(kc, pa, rows, c, ldc, store);
                return;
            }
        }
        if (nr == 16 && nRem == 8)
        {
            Avx2Tile<TRows, Count1, TA>(kc, pa, layout, rows, c, ldc, mRem, store);
            return;
        }
        EdgeTile(kc, pa, layout, rows, c, ldc, mRem, nRem, nr, store);
    }

    /// <summary>
    /// Edge tile: compute into a full scratch tile, then add the valid part (with AVX2, a panel of at most 8 columns
    /// computes one vector of them: the narrow maps of batch-1 inference would otherwise waste most of the tile).
    /// Every kernel stores at least the mRem x nRem corner read below, so the scratch tile needs no clearing. (The AVX2
    /// tiles compute mRem rows only: A read in place has no rows past them.)
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EdgeTile<TRows, TA>(int kc, float* pa, TA layout, TRows rows, float* c, int ldc, int mRem, int nRem, int nr, bool store)
        where TRows : struct, IPanelRows
        where TA : struct, IALayout
    {
        float* tile = stackalloc float[8 * 32];
        if (nr == 32 && nRem <= 16) Kernel512Half(kc, pa, rows, tile, nr, store: true);
        else if (nr == 32) Kernel512(kc, pa, rows, tile, nr, store: true);
        else if (nr == 16 && nRem < 8) Avx2Tile<TRows, Count1, TA>(kc, pa, layout, rows, tile, nr, mRem, store: true);
        else if (nr == 16) Avx2Tile<TRows, Count2, TA>(kc, pa, layout, rows, tile, nr, mRem, store: true);
        else KernelScalar(kc, pa, rows, tile, nr, store: true);
        for (int i = 0; i < mRem; i++)
            for (int j = 0; j < nRem; j++)
            {
                float* ci = c + (long)i * ldc + j;
                *ci = store ? tile[i * nr + j] : *ci + tile[i * nr + j];
            }
    }

    /// <summary>
    /// An AVX2 tile of <paramref name="mRem"/> rows and TVectors x 8 columns straight into C: a short last panel (M not a
    /// multiple of 6) runs a kernel of its own height.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Avx2Tile<TRows, TVectors, TA>(int kc, float* pa, TA layout, TRows rows, float* c, int ldc, int mRem, bool store)
        where TRows : struct, IPanelRows
        where TVectors : struct, ICount
        where TA : struct, IALayout
    {
        switch (mRem)
        {
            case 6: Kernel256<TRows, Count6, TVectors, TA>(kc, pa, layout, rows, c, ldc, store); return;
            case 5: Kernel256<TRows, Count5, TVectors, TA>(kc, pa, layout, rows, c, ldc, store); return;
            case 4: Kernel256<TRows, Count4, TVectors, TA>(kc, pa, layout, rows, c, ldc, store); return;
            case 3: Kernel256<TRows, Count3, TVectors, TA>(kc, pa, layout, rows, c, ldc, store); return;
            case 2: Kernel256<TRows, Count2, TVectors, TA>(kc, pa, layout, rows, c, ldc, store); return;
            default: Kernel256<TRows, Count1, TVectors, TA>(kc, pa, layout, rows, c, ldc, store); return;
        }
    }

    /// <summary>
    /// C[8, 32] += an 8-row A panel times a 32-column B panel (AVX-512), two steps of k per iteration (as the AVX2 kernel:
    /// with one step a loop, the loop's own instructions sit between the FMAs). Each element sums its k products in order.
    /// Never inlined (nor the other AVX-512 kernels): where dynamic PGO judged the tile loop hot enough to inline this
    /// into <see cref="Job.Run"/>, the caller's inlining budget ran out before <see cref="Step512"/>, which then ran as a
    /// call with the accumulators in memory (ResNet-20 at batch 256 after batch-1 passes: 135 ms a pass instead of 89).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512<TRows>(int kc, float* pa, TRows rows, float* c, int ldc, bool store)
        where TRows : struct, IPanelRows
    {
        PrefetchTile(c, ldc, 8, 32);
        var t = default(Tile8x32);
        int p = 0;
        for (; p + 1 < kc; p += 2)
        {
            Step512(ref t, pa, rows.Next());
            Step512(ref t, pa + 8, rows.Next());
            pa += 16;
        }
        if (p < kc) Step512(ref t, pa, rows.Next());
        Add512(c, t.C00, t.C01, store); c += ldc;
        Add512(c, t.C10, t.C11, store); c += ldc;
        Add512(c, t.C20, t.C21, store); c += ldc;
        Add512(c, t.C30, t.C31, store); c += ldc;
        Add512(c, t.C40, t.C41, store); c += ldc;
        Add512(c, t.C50, t.C51, store); c += ldc;
        Add512(c, t.C60, t.C61, store); c += ldc;
        Add512(c, t.C70, t.C71, store);
    }

    /// <summary>
    /// C[8, 16] += an 8-row A panel times the first 16 columns of a B panel: a last panel of at most 16 columns (a 4x4 map
    /// at batch 1 is 16 columns in all) would otherwise run the whole 8x32 tile, half of its FMAs wasted. Eight chains of
    /// FMAs, each element summing its k products in order, as the whole tile would.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512Half<TRows>(int kc, float* pa, TRows rows, float* c, int ldc, bool store)
        where TRows : struct, IPanelRows
    {
        PrefetchTile(c, ldc, 8, 16);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b = Vector512.Load(rows.Next());
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[0]), b, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[1]), b, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[2]), b, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[3]), b, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[4]), b, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[5]), b, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[6]), b, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(pa[7]), b, c7);
            pa += 8;
        }
        AddHalf(c, c0, store); c += ldc;
        AddHalf(c, c1, store); c += ldc;
        AddHalf(c, c2, store); c += ldc;
        AddHalf(c, c3, store); c += ldc;
        AddHalf(c, c4, store); c += ldc;
        AddHalf(c, c5, store); c += ldc;
        AddHalf(c, c6, store); c += ldc;
        AddHalf(c, c7, store);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddHalf(float* c, Vector512<float> v, bool store) => (store ? v : v + Vector512.Load(c)).Store(c);

    /// <summary>The accumulators of an 8x32 AVX-512 tile (kept in registers once <see cref="Step512"/> is inlined).</summary>
    private struct Tile8x32
    {
        public Vector512<float> C00, C01, C10, C11, C20, C21, C30, C31, C40, C41, C50, C51, C60, C61, C70, C71;
    }

    /// <summary>One step of k of an 8x32 tile: row i += pa[i] x the B row at <paramref name="pb"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step512(ref Tile8x32 t, float* pa, float* pb)
    {
        Vector512<float> b0 = Vector512.Load(pb), b1 = Vector512.Load(pb + 16);
        Vector512<float> x = Vector512.Create(pa[0]);
        t.C00 = Vector512.FusedMultiplyAdd(x, b0, t.C00); t.C01 = Vector512.FusedMultiplyAdd(x, b1, t.C01);
        x = Vector512.Create(pa[1]);
        t.C10 = Vector512.FusedMultiplyAdd(x, b0, t.C10); t.C11 = Vector512.FusedMultiplyAdd(x, b1, t.C11);
        x = Vector512.Create(pa[2]);
        t.C20 = Vector512.FusedMultiplyAdd(x, b0, t.C20); t.C21 = Vector512.FusedMultiplyAdd(x, b1, t.C21);
        x = Vector512.Create(pa[3]);
        t.C30 = Vector512.FusedMultiplyAdd(x, b0, t.C30); t.C31 = Vector512.FusedMultiplyAdd(x, b1, t.C31);
        x = Vector512.Create(pa[4]);
        t.C40 = Vector512.FusedMultiplyAdd(x, b0, t.C40); t.C41 = Vector512.FusedMultiplyAdd(x, b1, t.C41);
        x = Vector512.Create(pa[5]);
        t.C50 = Vector512.FusedMultiplyAdd(x, b0, t.C50); t.C51 = Vector512.FusedMultiplyAdd(x, b1, t.C51);
        x = Vector512.Create(pa[6]);
        t.C60 = Vector512.FusedMultiplyAdd(x, b0, t.C60); t.C61 = Vector512.FusedMultiplyAdd(x, b1, t.C61);
        x = Vector512.Create(pa[7]);
        t.C70 = Vector512.FusedMultiplyAdd(x, b0, t.C70); t.C71 = Vector512.FusedMultiplyAdd(x, b1, t.C71);
    }

    /// <summary>Rows of C a column kernel computes: four 8-row panels of A.</summary>
    private const int ColumnKernelRows = 32;

    /// <summary>Columns of C a column kernel computes.</summary>
    private const int ColumnKernelColumns = 4;

    /// <summary>
    /// C[rows, cols] += (or = when <paramref name="store"/>) four 8-row panels of packed A (kc steps each, panel after panel)
    /// times cols of the [kc, 8] block <paramref name="pb"/>: sixteen 8-row sums, each an FMA chain over k in order, as in a
    /// tile. A missing panel (rows under 32) rereads the first, a missing column (cols under 4) the block's zero padding;
    /// neither is stored. C's element (i, j) is at c + i <paramref name="rowStride"/> + j <paramref name="colStride"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ColumnKernel(int kc, float* pa, float* pb, float* c, nint rowStride, nint colStride, int rows, int cols, bool store)
    {
        nint panel = (nint)kc * 8;
        float* a0 = pa, a1 = rows > 8 ? pa + panel : pa, a2 = rows > 16 ? pa + 2 * panel : pa, a3 = rows > 24 ? pa + 3 * panel : pa;
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        Vector256<float> s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> x0 = Vector256.Load(a0), x1 = Vector256.Load(a1), x2 = Vector256.Load(a2), x3 = Vector256.Load(a3);
            Vector256<float> y = Vector256.Create(pb[0]);
            s00 = Vector256.FusedMultiplyAdd(x0, y, s00); s10 = Vector256.FusedMultiplyAdd(x1, y, s10);
            s20 = Vector256.FusedMultiplyAdd(x2, y, s20); s30 = Vector256.FusedMultiplyAdd(x3, y, s30);
            y = Vector256.Create(pb[1]);
            s01 = Vector256.FusedMultiplyAdd(x0, y, s01); s11 = Vector256.FusedMultiplyAdd(x1, y, s11);
            s21 = Vector256.FusedMultiplyAdd(x2, y, s21); s31 = Vector256.FusedMultiplyAdd(x3, y, s31);
            y = Vector256.Create(pb[2]);
            s02 = Vector256.FusedMultiplyAdd(x0, y, s02); s12 = Vector256.FusedMultiplyAdd(x1, y, s12);
            s22 = Vector256.FusedMultiplyAdd(x2, y, s22); s32 = Vector256.FusedMultiplyAdd(x3, y, s32);
            y = Vector256.Create(pb[3]);
            s03 = Vector256.FusedMultiplyAdd(x0, y, s03); s13 = Vector256.FusedMultiplyAdd(x1, y, s13);
            s23 = Vector256.FusedMultiplyAdd(x2, y, s23); s33 = Vector256.FusedMultiplyAdd(x3, y, s33);
            a0 += 8; a1 += 8; a2 += 8; a3 += 8; pb += ColumnPathWidth;
        }
        float* sums = stackalloc float[ColumnKernelRows * ColumnKernelColumns];
        s00.Store(sums); s10.Store(sums + 8); s20.Store(sums + 16); s30.Store(sums + 24);
        s01.Store(sums + 32); s11.Store(sums + 40); s21.Store(sums + 48); s31.Store(sums + 56);
        s02.Store(sums + 64); s12.Store(sums + 72); s22.Store(sums + 80); s32.Store(sums + 88);
        s03.Store(sums + 96); s13.Store(sums + 104); s23.Store(sums + 112); s33.Store(sums + 120);
        for (int j = 0; j < cols; j++)
            for (int i = 0; i < rows; i++)
            {
                float* ci = c + i * rowStride + j * colStride;
                *ci = store ? sums[j * ColumnKernelRows + i] : *ci + sums[j * ColumnKernelRows + i];
            }
    }

    /// <summary>
    /// Asks for the tile's rows of C before the k loop: C is read and written once per tile, so its lines are rarely
    /// cached, and fetched only at the end they stalled each tile (a tenth of a 1024³ multiplication on Zen 3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* c, int ldc, int rows, int columns)
    {
        if (!Sse.IsSupported) return;
        for (int i = 0; i < rows; i++)
        {
            float* row = c + (long)i * ldc;
            for (int j = 0; j < columns; j += 16) Sse.Prefetch0(row + j);
            Sse.Prefetch0(row + columns - 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add512(float* c, Vector512<float> lo, Vector512<float> hi, bool store)
    {
        if (!store)
        {
            lo += Vector512.Load(c);
            hi += Vector512.Load(c + 16);
        }
        lo.Store(c);
        hi.Store(c + 16);
    }


    /// <summary>
    /// C[TCount, 8 x TVectors] += the first TCount rows of a 6-row A panel times the first 8 x TVectors columns of a
    /// 16-column B panel (AVX2). Two steps of k per
    /// iteration: one step a loop ran at about 80 % of the FMA pipes' peak on Zen 3, two at about 95 %. Every element of C
    /// sums its k products in order whatever the height or unrolling, so a short panel gives the same bits as a full one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256<TRows, TCount, TVectors, TA>(int kc, float* pa, TA layout, TRows rows, float* c, int ldc, bool store)
        where TRows : struct, IPanelRows
        where TCount : struct, ICount
        where TVectors : struct, ICount
        where TA : struct, IALayout
    {
        nint step = layout.Step;
        PrefetchTile(c, ldc, TCount.Value, TVectors.Value * 8);
        var t = default(Tile6x16);
        int p = 0;
        for (; p + 1 < kc; p += 2)
        {
            Step<TCount, TVectors, TA>(ref t, pa, layout, rows.Next());
            Step<TCount, TVectors, TA>(ref t, pa + step, layout, rows.Next());
            pa += 2 * step;
        }
        if (p < kc) Step<TCount, TVectors, TA>(ref t, pa, layout, rows.Next());
        Add256<TVectors>(c, t.C00, t.C01, store);
        if (TCount.Value > 1) Add256<TVectors>(c + ldc, t.C10, t.C11, store);
        if (TCount.Value > 2) Add256<TVectors>(c + 2L * ldc, t.C20, t.C21, store);
        if (TCount.Value > 3) Add256<TVectors>(c + 3L * ldc, t.C30, t.C31, store);
        if (TCount.Value > 4) Add256<TVectors>(c + 4L * ldc, t.C40, t.C41, store);
        if (TCount.Value > 5) Add256<TVectors>(c + 5L * ldc, t.C50, t.C51, store);
    }

    /// <summary>The accumulators of a 6x16 AVX2 tile (the JIT keeps them in registers once <see cref="Step"/> is inlined).</summary>
    private struct Tile6x16
    {
        public Vector256<float> C00, C01, C10, C11, C20, C21, C30, C31, C40, C41, C50, C51;
    }

    /// <summary>One step of k: the tile's rows and vectors += a[row] x the B row at <paramref name="pb"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TCount, TVectors, TA>(ref Tile6x16 t, float* pa, TA layout, float* pb)
        where TCount : struct, ICount
        where TVectors : struct, ICount
        where TA : struct, IALayout
    {
        Vector256<float> b0 = Vector256.Load(pb), b1 = TVectors.Value > 1 ? Vector256.Load(pb + 8) : default;
        Row<TVectors>(ref t.C00, ref t.C01, pa[layout.Row(0)], b0, b1);
        if (TCount.Value > 1) Row<TVectors>(ref t.C10, ref t.C11, pa[layout.Row(1)], b0, b1);
        if (TCount.Value > 2) Row<TVectors>(ref t.C20, ref t.C21, pa[layout.Row(2)], b0, b1);
        if (TCount.Value > 3) Row<TVectors>(ref t.C30, ref t.C31, pa[layout.Row(3)], b0, b1);
        if (TCount.Value > 4) Row<TVectors>(ref t.C40, ref t.C41, pa[layout.Row(4)], b0, b1);
        if (TCount.Value > 5) Row<TVectors>(ref t.C50, ref t.C51, pa[layout.Row(5)], b0, b1);
    }

    /// <summary>One row of a step: (lo, hi) += a x (b0, b1), the second vector only when the tile has two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TVectors>(ref Vector256<float> lo, ref Vector256<float> hi, float a, Vector256<float> b0, Vector256<float> b1)
        where TVectors : struct, ICount
    {
        Vector256<float> x = Vector256.Create(a);
        lo = Vector256.FusedMultiplyAdd(x, b0, lo);
        if (TVectors.Value > 1) hi = Vector256.FusedMultiplyAdd(x, b1, hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add256<TVectors>(float* c, Vector256<float> lo, Vector256<float> hi, bool store)
        where TVectors : struct, ICount
    {
        if (!store)
        {
            lo += Vector256.Load(c);
            if (TVectors.Value > 1) hi += Vector256.Load(c + 8);
        }
        lo.Store(c);
        if (TVectors.Value > 1) hi.Store(c + 8);
    }

    private static void KernelScalar<TRows>(int kc, float* pa, TRows rows, float* c, int ldc, bool store)
        where TRows : struct, IPanelRows
    {
        float* acc = stackalloc float[8 * 8];
        new Span<float>(acc, 8 * 8).Clear();
        for (int p = 0; p < kc; p++)
        {
            float* pb = rows.Next();
            for (int i = 0; i < MR; i++)
            {
                float x = pa[i];
                for (int j = 0; j < 8; j++) acc[i * 8 + j] = MathF.FusedMultiplyAdd(x, pb[j], acc[i * 8 + j]);
            }
            pa += MR;
        }
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < 8; j++) c[(long)i * ldc + j] = store ? acc[i * 8 + j] : c[(long)i * ldc + j] + acc[i * 8 + j];
    }

    /// <summary>A per-thread pinned buffer of at least <paramref name="floats"/> floats, 64-byte aligned.</summary>
    private static float* AlignedBuffer(ref float[]? cache, int floats)
    {
        if (cache is null || cache.Length < floats + 16)
            cache = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        float* p = (float*)Unsafe.AsPointer(ref cache[0]);
        return (float*)(((nint)p + 63) & ~(nint)63);
    }
}
