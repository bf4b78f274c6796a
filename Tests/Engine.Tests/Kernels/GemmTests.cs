using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Reference;
using static MlPipelines.Engine.Tests.Kernels.KernelTestData;

namespace MlPipelines.Engine.Tests.Kernels;

[TestClass]
[TestCategory("Kernels")]
public sealed class GemmTests
{
    private static void Check(bool ta, bool tb, int m, int n, int k, float alpha, float beta, int pad, int threads, int seed)
    {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        float[] a = Random(Math.Max(1, (ta ? k : m) * lda), seed);
        float[] b = Random(Math.Max(1, (tb ? n : k) * ldb), seed + 1);
        float[] c = Random(Math.Max(1, m * ldc), seed + 2);
        if (beta == 0) Array.Fill(c, float.NaN);
        float[] expected = (float[])c.Clone();
        GemmReference.Sgemm(ta, tb, m, n, k, alpha, a, Math.Max(1, lda), b, Math.Max(1, ldb), beta, expected, Math.Max(1, ldc));
        Gemm.Sgemm(ta, tb, m, n, k, alpha, a, Math.Max(1, lda), b, Math.Max(1, ldb), beta, c, Math.Max(1, ldc), threads);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                int idx = i * ldc + j;
                if (j >= n)
                {
                    Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[idx]), BitConverter.SingleToInt32Bits(c[idx]), "padding was written");
                    continue;
                }
                // Float accumulation error bound: k * eps * sum|a||b|, sum|a||b| <= k for values in [-1, 1].
                double tol = 1e-6 * (k + 1) * Math.Max(1, Math.Abs(alpha)) + 1e-6;
                Assert.AreEqual(expected[idx], c[idx], tol, $"ta={ta} tb={tb} m={m} n={n} k={k} at ({i},{j})");
            }
        }
    }

    [TestMethod]
    public void MatchesReference_OverOddShapesAndAllTransposes()
    {
        int[] sizes = [1, 2, 3, 7, 8, 9, 16, 17, 31, 33, 65];
        int seed = 0;
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                for (int s = 0; s < sizes.Length; s++)
                {
                    int m = sizes[s], n = sizes[(s + 3) % sizes.Length], k = sizes[(s + 6) % sizes.Length];
                    Check(ta, tb, m, n, k, 1f, 0f, 0, 1, seed++);
                    Check(ta, tb, n, k, m, 0.5f, 1.5f, 3, 1, seed++);
                }
        // beta 0 over several K blocks: the first block stores its tiles (C holds NaNs before), the later ones add.
        foreach (var (m, n, k) in new[] { (13, 37, 300), (70, 9, 513), (5, 200, 257) })
            Check(false, false, m, n, k, 1f, 0f, 2, 2, seed++);
    }

    [TestMethod]
    public void Packing_WholeAndRaggedPanels_MatchReference()
    {
        // A and B are packed by vector transposes where a panel is whole and value by value where it is ragged: rows of A
        // a multiple of the panel height or not, columns of B a multiple of the panel width or not, steps of k a multiple
        // of 8 or not, scaled by alpha, from padded rows, across a K block.
        int seed = 100;
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (int m in new[] { 24, 102, 97 })
                    foreach (int n in new[] { 64, 40, 33 })
                        foreach (int k in new[] { 8, 19, 263 })
                            Check(ta, tb, m, n, k, -0.75f, 0f, 3, 1, seed++);
    }

    [TestMethod]
    public void ZeroSizes_AndKZeroScalesC()
    {
        Check(false, false, 0, 5, 3, 1, 0, 0, 1, 1);
        Check(false, false, 5, 0, 3, 1, 0, 0, 1, 2);
        float[] c = [1, 2, 3, 4];
        Gemm.Sgemm(false, false, 2, 2, 0, 1, [], 1, [], 2, 2f, c, 2);
        CollectionAssert.AreEqual(new float[] { 2, 4, 6, 8 }, c);
    }

    [TestMethod]
    public void BlockBoundaries_AreHandled()
    {
        // Crosses the K block (256), the M block (128) and several micro-tiles with ragged edges.
        Check(false, false, 130, 70, 300, 1, 0, 0, 1, 7);
        Check(true, true, 131, 67, 257, 2, 0.5f, 2, 1, 8);
        Check(false, true, 9, 400, 520, 1, 1, 0, 1, 9);
        // Few rows: B packed when it has more than 32 rows (K across a block), read in place up to 32 (full-width panels, a
        // ragged last panel, padded B rows).
        Check(false, false, 6, 803, 300, 1, 0, 5, 1, 10);
        Check(false, false, 6, 803, 29, 1, 0, 5, 1, 12);
        Check(true, false, 64, 97, 33, 0.5f, 1, 3, 2, 11);
        // One block of A's rows: B packed at most 768 columns at a time, in even blocks of whole panels (576, 576, 548), on
        // one thread and two.
        Check(false, false, 120, 1700, 40, 1, 0, 3, 1, 13);
        Check(false, false, 100, 1700, 300, 1, 0.5f, 0, 2, 14);
    }

    [TestMethod]
    public void Threads_GiveBitIdenticalResults()
    {
        foreach (var (m, n, k) in new[] { (300, 200, 150), (40, 700, 90), (257, 33, 129) })
        {
            float[] a = Random(m * k, 1), b = Random(k * n, 2);
            float[]? first = null;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                var c = new float[m * n];
                Gemm.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n, threads);
                if (first is null) first = c;
                else CollectionAssert.AreEqual(first, c, $"threads {threads} differ for {m}x{n}x{k}");
            }
            Check(false, false, m, n, k, 1, 0, 0, 2, 5);
        }
    }

    [TestMethod]
    public unsafe void FinishedBlocks_CoverCOnce_AndHoldTheirFinalValues()
    {
        // The blocks handed to IBlockDone: on one thread all of C, split by rows (m >= n), by columns, the
        // swapped product of a few rows (blocks in C's coordinates), and a row table whose few rows still split by rows (A
        // packed by each thread costs more than reading the grid). Every element in exactly one block, and the value the
        // block held when handed over is C's final value.
        var cases = new (string Name, int M, int N, int K, int Threads, bool RowTable)[]
        {
            ("one thread", 40, 60, 50, 1, false), ("rows", 300, 200, 20, 2, false), ("columns", 40, 700, 90, 3, false),
            ("swapped", 3, 900, 300, 2, false), ("row table", 32, 210, 288, 2, true),
        };
        int seed = 300;
        foreach (var (name, m, n, k, threads, rowTable) in cases)
        {
            float[] a = Random(m * k, seed++), b = Random(k * n, seed++), c = new float[m * n], seen = new float[m * n];
            int[] count = new int[m * n], offsets = Enumerable.Range(0, k).Select(p => p * n).ToArray();
            fixed (float* pc = c, ps = seen)
            fixed (int* pn = count)
            {
                var done = new Recorder { C = pc, Seen = ps, Count = pn, N = n };
                if (rowTable) Gemm.SgemmRowTable(m, n, k, 1, a, k, b, offsets, 0, c, n, threads, done);
                else Gemm.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n, threads, done);
            }
            Assert.IsTrue(count.All(v => v == 1), $"{name}: elements handed over {count.Min()}-{count.Max()} times");
            AssertSameBits(c, seen, $"{name}: values when handed over");
            var plain = new float[m * n];
            Gemm.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, plain, n, 1);
            AssertSameBits(plain, c, $"{name}: the product");
        }
    }

    /// <summary>Counts each element of a finished block and copies its value.</summary>
    private unsafe struct Recorder : Gemm.IBlockDone
    {
        public float* C, Seen;
        public int* Count;
        public int N;

        public readonly void Done(int m0, int m1, int n0, int n1)
        {
            for (int i = m0; i < m1; i++)
                for (int j = n0; j < n1; j++)
                {
                    Count[i * N + j]++;
                    Seen[i * N + j] = C[i * N + j];
                }
        }
    }

    [TestMethod]
    public void RowsOfC_DoNotDependOnHowManyRowsAreMultiplied()
    {
        // A short last panel runs a kernel of its own height (1 to 5 rows with AVX2's 6-row panels; the scratch tile
        // otherwise): each row of C must come out with the same bits as when it sits in a full panel of a taller product.
        // Up to four panels of rows read B (of at most 32 rows) in place, the 40-row product packs it (its ragged last 16
        // columns too).
        const int tall = 40, n = 48, k = 29;
        float[] a = Random(tall * k, 3), b = Random(k * n, 4);
        var full = new float[tall * n];
        Gemm.Sgemm(false, false, tall, n, k, 1, a, k, b, n, 0, full, n);
        for (int m = 1; m < tall; m++)
        {
            var c = new float[m * n];
            Gemm.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
            CollectionAssert.AreEqual(full.AsSpan(0, m * n).ToArray(), c, $"the first {m} rows differ from the same rows of a {tall}-row product");
        }
    }

    [TestMethod]
    public void ColumnsOfC_DoNotDependOnHowManyColumnsAreMultiplied()
    {
        // Up to two panels of columns read A in place (AVX2) where wider products pack it: the same products in the same
        // order, so a narrow product's columns have the bits of the same columns of a wide one. Rows past 64 pack B too;
        // a padded lda, k beyond one K block and every short last panel of rows and columns are covered. With AVX-512 a
        // last panel of at most 16 columns runs a half-width tile (16, and 40 and 48 after a whole panel): its columns too
        // must have the bits of the same columns computed by whole tiles (the first 32 of the wide product).
        const int wide = 80;
        foreach (var (m, k, lda) in new[] { (13, 37, 37), (70, 300, 301), (7, 5, 9) })
        {
            float[] a = Random(m * lda, m), b = Random(k * wide, k);
            var full = new float[m * wide];
            Gemm.Sgemm(false, false, m, wide, k, 1, a, lda, b, wide, 0, full, wide);
            foreach (int n in new[] { 1, 3, 8, 9, 16, 17, 31, 32, 40, 48 })
            {
                var c = new float[m * n];
                Gemm.Sgemm(false, false, m, n, k, 1, a, lda, b, wide, 0, c, n, threads: n % 2 + 1);
                for (int i = 0; i < m; i++)
                    CollectionAssert.AreEqual(full.AsSpan(i * wide, n).ToArray(), c.AsSpan(i * n, n).ToArray(), $"m={m} k={k} n={n}: row {i}");
            }
        }
    }

    [TestMethod]
    public void FewColumnsAndFewRows_MatchReference_WithTheBitsOfWideProducts()
    {
        // With AVX-512, up to 8 columns run the column kernels, and up to 8 rows (alpha 1) run transposed on them: every
        // transpose, beta, padded rows, k across a K block, rows not a multiple of the kernels' 32, two threads. Against
        // the reference, and bit for bit against the same rows or columns inside a product too wide or tall for either
        // route (a batch-1 classifier or a 2x2 map must score as it does inside a batch).
        int seed = 400;
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (var (m, n, k) in new[] { (70, 4, 300), (33, 1, 19), (1, 1000, 512), (5, 37, 260), (8, 9, 64) })
                {
                    Check(ta, tb, m, n, k, 1, 0, 3, 1, seed++);
                    Check(ta, tb, m, n, k, 1, 0.5f, 0, 2, seed++);
                    Check(ta, tb, m, n, k, -1.5f, 0, 1, 2, seed++);
                }
        const int wide = 48, tall = 24;
        foreach (var (m, n, k) in new[] { (70, 4, 300), (3, 100, 260) })
        {
            // A tall A (rows of the few-row product plus more) and a wide B (its columns plus more), both as stored.
            float[] a = Random(Math.Max(m, tall) * k, seed++), b = Random(k * Math.Max(n, wide), seed++);
            int ldb = Math.Max(n, wide), mm = Math.Max(m, tall);
            var big = new float[mm * ldb];
            Gemm.Sgemm(false, false, mm, ldb, k, 1, a, k, b, ldb, 0, big, ldb);
            foreach (int threads in new[] { 1, 2 })
            {
                var c = new float[m * n];
                Gemm.Sgemm(false, false, m, n, k, 1, a, k, b, ldb, 0, c, n, threads);
                for (int i = 0; i < m; i++)
                    CollectionAssert.AreEqual(big.AsSpan(i * ldb, n).ToArray(), c.AsSpan(i * n, n).ToArray(), $"{m}x{n}x{k}, {threads} thread(s): row {i}");
            }
        }
    }

    [TestMethod]
    public void RowTable_MatchesTheExplicitMatrix_InPlaceAndPacked()
    {
        // Rows of B are windows of one buffer at arbitrary offsets. Up to 64 rows of C read them in place (a ragged last panel
        // packed, or, where the buffer has a panel of slack past every row, read in place too: the slack here is NaN, which
        // must not reach C); more rows pack every panel; k beyond 256 crosses a K block.
        int seed = 200;
        foreach (var (m, n, k, threads) in new[] { (16, 37, 9, 1), (5, 16, 300, 1), (64, 100, 27, 2), (70, 53, 40, 1), (130, 35, 290, 2), (32, 812, 144, 2) })
            foreach (int slack in new[] { 0, 64 })
            {
                float[] a = Random(m * k, seed++), buffer = [.. Random(n + 4 * k + 3, seed++), .. Enumerable.Repeat(float.NaN, slack)];
                int[] offsets = Enumerable.Range(0, k).Select(p => (p * 5 + p / 3) % (4 * k + 3)).ToArray();
                float[] b = new float[k * n];
                for (int p = 0; p < k; p++) Array.Copy(buffer, offsets[p], b, p * n, n);
                float[] expected = Random(m * n, seed++), c = (float[])expected.Clone();
                Gemm.Sgemm(false, false, m, n, k, 0.5f, a, k, b, n, 2, expected, n, threads);
                Gemm.SgemmRowTable(m, n, k, 0.5f, a, k, buffer, offsets, 2, c, n, threads);
                CollectionAssert.AreEqual(expected, c, $"m={m} n={n} k={k} slack={slack}: the same products in the same order");
            }
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.SgemmRowTable(1, 3, 2, 1, new float[2], 2, new float[4], [0, 2], 0, new float[3], 3), "a row past the end");
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.SgemmRowTable(1, 3, 2, 1, new float[2], 2, new float[4], [0], 0, new float[3], 3), "too few offsets");
    }

    [TestMethod]
    public void PrepackedA_GivesTheBitsOfSgemm()
    {
        // Ragged row panels and more than one K block (k 300 > 256), the column kernels (n at most 8), many columns and
        // rows split over two threads, and an A with a leading dimension past its k.
        int seed = 700;
        foreach (var (m, n, k) in new[] { (19, 75, 300), (37, 5, 40), (130, 300, 64), (8, 33, 17), (3, 70, 9) })
            foreach (int threads in new[] { 1, 2 })
            {
                int lda = k + 3;
                float[] a = Random(m * lda, seed++), b = Random(k * n, seed++);
                var expected = new float[m * n];
                Gemm.Sgemm(false, false, m, n, k, 1, a, lda, b, n, 0, expected, n, threads);
                var packed = new float[Gemm.PackedALength(m, k)];
                Gemm.PackA(a, m, k, lda, packed);
                var c = Enumerable.Repeat(float.NaN, m * n).ToArray();
                Gemm.SgemmPackedA(m, n, k, packed, b, n, c, n, threads);
                AssertSameBits(expected, c, $"m={m} n={n} k={k} threads={threads}");
            }
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.PackA(new float[12], 3, 4, 4, new float[Gemm.PackedALength(3, 4) - 1]), "packed buffer too short");
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.SgemmPackedA(3, 2, 4, new float[8], new float[8], 2, new float[6], 2), "packed A too short for its shape");
    }

    [TestMethod]
    public void PrepackedA_WithARowTable_GivesTheBitsOfSgemmRowTable()
    {
        // B's rows are overlapping windows of one buffer, as a convolution's; shapes as above, plus a row table without the
        // slack that lets a ragged last panel be read in place.
        int seed = 800;
        foreach (var (m, n, k, slack) in new[] { (19, 75, 300, 32), (37, 5, 40, 32), (130, 300, 64, 32), (70, 16, 33, 0), (3, 70, 9, 0) })
            foreach (int threads in new[] { 1, 2 })
            {
                float[] a = Random(m * k, seed++), b = Random(3 * k + n + slack, seed++);
                int[] rows = Enumerable.Range(0, k).Select(p => 3 * p).ToArray();
                var expected = new float[m * n];
                Gemm.SgemmRowTable(m, n, k, 1, a, k, b, rows, 0, expected, n, threads);
                var packed = new float[Gemm.PackedALength(m, k)];
                Gemm.PackA(a, m, k, k, packed);
                var c = Enumerable.Repeat(float.NaN, m * n).ToArray();
                Gemm.SgemmRowTablePackedA(m, n, k, packed, b, rows, c, n, threads);
                AssertSameBits(expected, c, $"m={m} n={n} k={k} threads={threads}");
            }
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.SgemmRowTablePackedA(3, 2, 4, new float[8], new float[8], [0, 1, 2, 3], new float[6], 2), "packed A too short for its shape");
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.SgemmRowTablePackedA(3, 2, 4, new float[Gemm.PackedALength(3, 4)], new float[8], [0, 1, 2, 7], new float[6], 2), "a row past b");
    }

    [TestMethod]
    public void TooShortSpans_AreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 2, 1, new float[3], 2, new float[4], 2, 0, new float[4], 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, 2, 2, 2, 1, new float[4], 1, new float[4], 2, 0, new float[4], 2));
    }
}
