namespace MlPipelines.Engine.Kernels;

/// <summary>
/// Single-precision general matrix multiply on row-major matrices:
/// C = alpha * op(A) * op(B) + beta * C, with op(X) = X or X^T.
/// </summary>
internal static class Gemm
{
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
        int threads = 1)
    {
        // Simple correct body; replaced by the packed, blocked SIMD implementation.
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                ref float cij = ref c[i * ldc + j];
                cij = beta == 0 ? alpha * sum : alpha * sum + beta * cij;
            }
        }
    }
}
