using MlPipelines.Engine.Kernels.Reference;
using static MlPipelines.Engine.Tests.Kernels.KernelTestData;

namespace MlPipelines.Engine.Tests.Kernels;

/// <summary>The public <see cref="Blas"/> entry point passes every argument through: transposes, padded leading dimensions, alpha, beta, threads.</summary>
[TestClass]
[TestCategory("Kernels")]
public sealed class BlasTests
{
    [TestMethod]
    public void Sgemm_MatchesThePlainReference_ForEveryTransposeAndThreadCount()
    {
        const int m = 37, n = 45, k = 29, pad = 3;
        int seed = 70;
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (int threads in new[] { 1, 2 })
                {
                    int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
                    float[] a = Random((ta ? k : m) * lda, seed++), b = Random((tb ? n : k) * ldb, seed++), c = Random(m * ldc, seed++);
                    float[] expected = (float[])c.Clone();
                    GemmReference.Sgemm(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, -2f, expected, ldc);
                    Blas.Sgemm(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, -2f, c, ldc, threads);
                    AssertClose(expected.Select(v => (double)v).ToArray(), c, 1e-5, $"transA {ta}, transB {tb}, {threads} threads");
                }
    }
}
