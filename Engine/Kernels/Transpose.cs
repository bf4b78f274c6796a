namespace MlPipelines.Engine.Kernels;

/// <summary>Transposes of the last two dimensions, batched over the leading ones.</summary>
internal static class Transpose
{
    /// <summary>y[b, j, i] = x[b, i, j] (or += when <paramref name="accumulate"/>).</summary>
    /// <param name="x">// [batch, rows, cols]</param>
    /// <param name="batch">Leading dimension.</param>
    /// <param name="rows">Rows of x.</param>
    /// <param name="cols">Columns of x.</param>
    /// <param name="y">// [batch, cols, rows]</param>
    /// <param name="accumulate">Add into y instead of overwriting it.</param>
    public static void LastTwo(ReadOnlySpan<float> x, int batch, int rows, int cols, Span<float> y, bool accumulate = false)
    {
        int plane = rows * cols;
        if (x.Length != batch * plane || y.Length != batch * plane)
            throw new ArgumentException($"Transpose of [{batch}, {rows}, {cols}] got spans of {x.Length} and {y.Length}.");
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> xb = x.Slice(b * plane, plane);
            Span<float> yb = y.Slice(b * plane, plane);
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                {
                    if (accumulate) yb[j * rows + i] += xb[i * cols + j];
                    else yb[j * rows + i] = xb[i * cols + j];
                }
        }
    }
}
