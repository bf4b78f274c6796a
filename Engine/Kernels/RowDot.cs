using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// C[m, n] += A[m, k] B[n, k]^T for few rows and columns and a long k, as convolution weight gradients have
/// (output channels x patch size, summed over every output pixel): each element of C is the dot product of a row of A
/// and a row of B, both contiguous, so nothing is packed or transposed. A 3x3 block of dot products shares its loads;
/// each keeps vector partial sums over k, reduced in a fixed lane order, so results are reproducible.
/// </summary>
internal static unsafe class RowDot
{
    private const int Block = 3;

    /// <summary>C[i, j] += sum over p of A[i, p] B[j, p].</summary>
    /// <param name="a">// [m, lda], the first k of each row used</param>
    /// <param name="lda">Distance between rows of A (>= k).</param>
    /// <param name="b">// [n, ldb], the first k of each row used</param>
    /// <param name="ldb">Distance between rows of B (>= k).</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="k">Length of each dot product.</param>
    /// <param name="c">// [m, ldc], accumulated into</param>
    /// <param name="ldc">Distance between rows of C (>= n).</param>
    public static void Accumulate(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, int m, int n, int k, Span<float> c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), "Sizes must not be negative.");
        if (m == 0 || n == 0 || k == 0) return;
        if (lda < k || ldb < k || ldc < n) throw new ArgumentOutOfRangeException(nameof(lda), $"Leading dimensions ({lda}, {ldb}, {ldc}) are shorter than the rows ({k}, {k}, {n}).");
        if ((long)(m - 1) * lda + k > a.Length) throw new ArgumentException($"A needs {(long)(m - 1) * lda + k} elements, the span has {a.Length}.", nameof(a));
        if ((long)(n - 1) * ldb + k > b.Length) throw new ArgumentException($"B needs {(long)(n - 1) * ldb + k} elements, the span has {b.Length}.", nameof(b));
        if ((long)(m - 1) * ldc + n > c.Length) throw new ArgumentException($"C needs {(long)(m - 1) * ldc + n} elements, the span has {c.Length}.", nameof(c));
        fixed (float* pa = a, pb = b, pc = c)
            Run(pa, lda, pb, ldb, null, m, n, k, pc, ldc);
    }

    /// <summary>
    /// As <see cref="Accumulate"/> with row j of B the k floats from <c>b[bRowOffsets[j]]</c> on: an implicit matrix of
    /// views into one buffer, such as the shifted windows of a zero-bordered image (a convolution's weight gradient).
    /// </summary>
    public static void AccumulateRowTable(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, ReadOnlySpan<int> bRowOffsets, int m, int n, int k, Span<float> c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), "Sizes must not be negative.");
        if (m == 0 || n == 0 || k == 0) return;
        if (lda < k || ldc < n) throw new ArgumentOutOfRangeException(nameof(lda), $"Leading dimensions ({lda}, {ldc}) are shorter than the rows ({k}, {n}).");
        if ((long)(m - 1) * lda + k > a.Length) throw new ArgumentException($"A needs {(long)(m - 1) * lda + k} elements, the span has {a.Length}.", nameof(a));
        if (bRowOffsets.Length < n) throw new ArgumentException($"B needs {n} row offsets, {bRowOffsets.Length} given.", nameof(bRowOffsets));
        for (int j = 0; j < n; j++)
            if (bRowOffsets[j] < 0 || (long)bRowOffsets[j] + k > b.Length)
                throw new ArgumentException($"Row {j} of B (offset {bRowOffsets[j]}, {k} long) lies outside the {b.Length} elements of b.", nameof(bRowOffsets));
        if ((long)(m - 1) * ldc + n > c.Length) throw new ArgumentException($"C needs {(long)(m - 1) * ldc + n} elements, the span has {c.Length}.", nameof(c));
        fixed (float* pa = a, pb = b, pc = c)
        fixed (int* offsets = bRowOffsets)
            Run(pa, lda, pb, 0, offsets, m, n, k, pc, ldc);
    }

    /// <summary>Row j of B is at b + j * ldb, or at b + offsets[j] when a table is given.</summary>
    private static void Run(float* pa, int lda, float* pb, int ldb, int* offsets, int m, int n, int k, float* pc, int ldc)
    {
        float* dots = stackalloc float[Block * Block];
        for (int i = 0; i < m; i += Block)
        {
            int rows = Math.Min(Block, m - i);
            for (int j = 0; j < n; j += Block)
            {
                int cols = Math.Min(Block, n - j);
                float* a0 = pa + (long)i * lda;
                // A ragged block repeats its last row or column (read, never stored), so one kernel serves every block.
                float* a1 = rows > 1 ? a0 + lda : a0, a2 = rows > 2 ? a0 + 2L * lda : a1;
                float* b0 = RowB(pb, ldb, offsets, j);
                float* b1 = cols > 1 ? RowB(pb, ldb, offsets, j + 1) : b0, b2 = cols > 2 ? RowB(pb, ldb, offsets, j + 2) : b1;
                if (Vector512.IsHardwareAccelerated) Dots512(a0, a1, a2, b0, b1, b2, k, dots);
                else if (Vector256.IsHardwareAccelerated) Dots256(a0, a1, a2, b0, b1, b2, k, dots);
                else DotsScalar(a0, a1, a2, b0, b1, b2, k, dots);
                for (int r = 0; r < rows; r++)
                    for (int s = 0; s < cols; s++) pc[(long)(i + r) * ldc + j + s] += dots[r * Block + s];
            }
        }
    }

    private static float* RowB(float* b, int ldb, int* offsets, int j) => offsets is null ? b + (long)j * ldb : b + offsets[j];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots256(float* a0, float* a1, float* a2, float* b0, float* b1, float* b2, int k, float* dots)
    {
        Vector256<float> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default, s20 = default, s21 = default, s22 = default;
        int p = 0;
        for (; p <= k - 8; p += 8)
        {
            Vector256<float> y0 = Vector256.Load(b0 + p), y1 = Vector256.Load(b1 + p), y2 = Vector256.Load(b2 + p);
            Vector256<float> x = Vector256.Load(a0 + p);
            s00 = Vector256.FusedMultiplyAdd(x, y0, s00); s01 = Vector256.FusedMultiplyAdd(x, y1, s01); s02 = Vector256.FusedMultiplyAdd(x, y2, s02);
            x = Vector256.Load(a1 + p);
            s10 = Vector256.FusedMultiplyAdd(x, y0, s10); s11 = Vector256.FusedMultiplyAdd(x, y1, s11); s12 = Vector256.FusedMultiplyAdd(x, y2, s12);
            x = Vector256.Load(a2 + p);
            s20 = Vector256.FusedMultiplyAdd(x, y0, s20); s21 = Vector256.FusedMultiplyAdd(x, y1, s21); s22 = Vector256.FusedMultiplyAdd(x, y2, s22);
        }
        dots[0] = Vector256.Sum(s00); dots[1] = Vector256.Sum(s01); dots[2] = Vector256.Sum(s02);
        dots[3] = Vector256.Sum(s10); dots[4] = Vector256.Sum(s11); dots[5] = Vector256.Sum(s12);
        dots[6] = Vector256.Sum(s20); dots[7] = Vector256.Sum(s21); dots[8] = Vector256.Sum(s22);
        Tail(a0, a1, a2, b0, b1, b2, p, k, dots);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots512(float* a0, float* a1, float* a2, float* b0, float* b1, float* b2, int k, float* dots)
    {
        Vector512<float> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default, s20 = default, s21 = default, s22 = default;
        int p = 0;
        for (; p <= k - 16; p += 16)
        {
            Vector512<float> y0 = Vector512.Load(b0 + p), y1 = Vector512.Load(b1 + p), y2 = Vector512.Load(b2 + p);
            Vector512<float> x = Vector512.Load(a0 + p);
            s00 = Vector512.FusedMultiplyAdd(x, y0, s00); s01 = Vector512.FusedMultiplyAdd(x, y1, s01); s02 = Vector512.FusedMultiplyAdd(x, y2, s02);
            x = Vector512.Load(a1 + p);
            s10 = Vector512.FusedMultiplyAdd(x, y0, s10); s11 = Vector512.FusedMultiplyAdd(x, y1, s11); s12 = Vector512.FusedMultiplyAdd(x, y2, s12);
            x = Vector512.Load(a2 + p);
            s20 = Vector512.FusedMultiplyAdd(x, y0, s20); s21 = Vector512.FusedMultiplyAdd(x, y1, s21); s22 = Vector512.FusedMultiplyAdd(x, y2, s22);
        }
        dots[0] = Vector512.Sum(s00); dots[1] = Vector512.Sum(s01); dots[2] = Vector512.Sum(s02);
        dots[3] = Vector512.Sum(s10); dots[4] = Vector512.Sum(s11); dots[5] = Vector512.Sum(s12);
        dots[6] = Vector512.Sum(s20); dots[7] = Vector512.Sum(s21); dots[8] = Vector512.Sum(s22);
        Tail(a0, a1, a2, b0, b1, b2, p, k, dots);
    }

    /// <summary>Without SIMD a single float chain over a long k loses digits the vector lanes keep, so the fallback sums in double.</summary>
    private static void DotsScalar(float* a0, float* a1, float* a2, float* b0, float* b1, float* b2, int k, float* dots)
    {
        double s00 = 0, s01 = 0, s02 = 0, s10 = 0, s11 = 0, s12 = 0, s20 = 0, s21 = 0, s22 = 0;
        for (int p = 0; p < k; p++)
        {
            double x0 = a0[p], x1 = a1[p], x2 = a2[p], y0 = b0[p], y1 = b1[p], y2 = b2[p];
            s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2;
            s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2;
            s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2;
        }
        dots[0] = (float)s00; dots[1] = (float)s01; dots[2] = (float)s02;
        dots[3] = (float)s10; dots[4] = (float)s11; dots[5] = (float)s12;
        dots[6] = (float)s20; dots[7] = (float)s21; dots[8] = (float)s22;
    }

    /// <summary>Adds the products of positions [p, k) to the nine sums (in locals: updating them through the pointer made
    /// every product wait for the previous store).</summary>
    private static void Tail(float* a0, float* a1, float* a2, float* b0, float* b1, float* b2, int p, int k, float* dots)
    {
        if (p >= k) return;
        float d0 = dots[0], d1 = dots[1], d2 = dots[2], d3 = dots[3], d4 = dots[4], d5 = dots[5], d6 = dots[6], d7 = dots[7], d8 = dots[8];
        for (; p < k; p++)
        {
            float x0 = a0[p], x1 = a1[p], x2 = a2[p], y0 = b0[p], y1 = b1[p], y2 = b2[p];
            d0 = MathF.FusedMultiplyAdd(x0, y0, d0); d1 = MathF.FusedMultiplyAdd(x0, y1, d1); d2 = MathF.FusedMultiplyAdd(x0, y2, d2);
            d3 = MathF.FusedMultiplyAdd(x1, y0, d3); d4 = MathF.FusedMultiplyAdd(x1, y1, d4); d5 = MathF.FusedMultiplyAdd(x1, y2, d5);
            d6 = MathF.FusedMultiplyAdd(x2, y0, d6); d7 = MathF.FusedMultiplyAdd(x2, y1, d7); d8 = MathF.FusedMultiplyAdd(x2, y2, d8);
        }
        dots[0] = d0; dots[1] = d1; dots[2] = d2; dots[3] = d3; dots[4] = d4; dots[5] = d5; dots[6] = d6; dots[7] = d7; dots[8] = d8;
    }
}
