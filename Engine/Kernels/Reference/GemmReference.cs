namespace MlPipelines.Engine.Kernels.Reference;

/// <summary>The plain twin of <see cref="Gemm"/>: a triple loop accumulating in double.</summary>
internal static class GemmReference
{
    /// <summary>C = alpha * op(A) * op(B) + beta * C, same layout rules as <see cref="Gemm.Sgemm"/>.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                ref float cij = ref c[i * ldc + j];
                cij = (float)(beta == 0 ? alpha * sum : alpha * sum + (double)beta * cij);
            }
        }
    }
}
