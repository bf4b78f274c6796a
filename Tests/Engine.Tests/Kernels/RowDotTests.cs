using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Reference;
using static MlPipelines.Engine.Tests.Kernels.KernelTestData;

namespace MlPipelines.Engine.Tests.Kernels;

[TestClass]
[TestCategory("Kernels")]
public sealed class RowDotTests
{
    [TestMethod]
    public void Accumulate_MatchesReference_OverRaggedBlocksAndEveryTail()
    {
        // k runs over every vector tail (0..257) for a few block shapes; m and n leave whole and ragged blocks (4x3 with
        // AVX2, 6x4 with AVX-512: rows and columns short by every amount).
        int seed = 0;
        foreach (var (m, n) in new[] { (1, 1), (3, 3), (4, 5), (7, 2), (8, 6), (6, 7), (16, 10) })
            for (int k = 0; k <= 257; k += m * n > 20 ? 7 : 1)
            {
                int lda = k + 3, ldb = k + 1, ldc = n + 2;
                float[] a = Random(m * lda, seed++), b = Random(n * ldb, seed++), c = Random(m * ldc, seed++);
                float[] expected = (float[])c.Clone();
                // C += A B^T is the reference GEMM with B transposed and beta 1.
                GemmReference.Sgemm(false, true, m, n, k, 1, a, lda, b, ldb, 1, expected, ldc);
                RowDot.Accumulate(a, lda, b, ldb, m, n, k, c, ldc);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < ldc; j++)
                    {
                        int idx = i * ldc + j;
                        if (j >= n) Assert.AreEqual(expected[idx], c[idx], 0, "padding was written");
                        else Assert.AreEqual(expected[idx], c[idx], 1e-6 * (k + 2), $"m={m} n={n} k={k} at ({i},{j})");
                    }
            }
    }

    [TestMethod]
    public void AccumulateRowTable_ReadsRowsAtTheirOffsets()
    {
        // Rows of B are overlapping windows of one buffer, as a convolution's shifted views of a padded image are.
        int seed = 100;
        foreach (var (m, n, k) in new[] { (1, 1, 1), (4, 5, 17), (16, 9, 130), (3, 7, 257) })
        {
            float[] a = Random(m * (k + 2), seed++), buffer = Random(k + 3 * n + 5, seed++), c = Random(m * n, seed++);
            int[] offsets = Enumerable.Range(0, n).Select(j => (j * 7) % (3 * n + 5)).ToArray();
            float[] b = new float[n * k];
            for (int j = 0; j < n; j++) Array.Copy(buffer, offsets[j], b, j * k, k);
            float[] expected = (float[])c.Clone();
            RowDot.Accumulate(a, k + 2, b, k, m, n, k, expected, n);
            RowDot.AccumulateRowTable(a, k + 2, buffer, offsets, m, n, k, c, n);
            CollectionAssert.AreEqual(expected, c, $"m={m} n={n} k={k}: same rows, same sums");
        }
        Assert.ThrowsExactly<ArgumentException>(() => RowDot.AccumulateRowTable(new float[4], 2, new float[5], [0, 4], 2, 2, 2, new float[4], 2), "a row past the end");
        Assert.ThrowsExactly<ArgumentException>(() => RowDot.AccumulateRowTable(new float[4], 2, new float[5], [0, -1], 2, 2, 2, new float[4], 2), "a negative offset");
    }

    [TestMethod]
    public void Accumulate_RejectsShortOperands()
    {
        var a = new float[10];
        Assert.ThrowsExactly<ArgumentException>(() => RowDot.Accumulate(a, 5, a, 5, 3, 2, 5, new float[4], 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => RowDot.Accumulate(a, 4, a, 5, 2, 2, 5, new float[4], 2));
    }
}
