using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine;

/// <summary>
/// The engine's dense matrix multiplication for code built on it (the ONNX graph's Gemm and MatMul nodes, custom layers,
/// notebooks): the same packed, blocked SGEMM the layers use. Matrices are row-major spans; a split over threads divides
/// C into blocks and never a sum, so the result does not depend on <c>threads</c>.
/// </summary>
public static class Blas
{
    /// <summary>
    /// C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C[m, n]. A is stored [m, k] (lda &gt;= k) or, when
    /// <paramref name="transA"/>, [k, m] (lda &gt;= m); B is stored [k, n] (ldb &gt;= n) or, when <paramref name="transB"/>,
    /// [n, k] (ldb &gt;= k). With beta 0, C is overwritten (what it held, NaN included, does not matter).
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short for its matrix, or a leading dimension is shorter than a row.</exception>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int threads = 1) =>
        Gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, Math.Max(1, threads));
}
