using System.Numerics.Tensors;

namespace MlPipelines.Engine.Kernels;

/// <summary>Softmax and log-softmax along the last axis (max-subtracted for stability), forward and backward.</summary>
internal static class Softmax
{
    /// <summary>y = exp(x - max) / sum exp(x - max) per row.</summary>
    /// <param name="x">// [R, C]</param>
    /// <param name="rows">R.</param>
    /// <param name="cols">C.</param>
    /// <param name="y">// [R, C], may alias x</param>
    public static void Forward(ReadOnlySpan<float> x, int rows, int cols, Span<float> y)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * cols, cols);
            Span<float> yr = y.Slice(r * cols, cols);
            float max = TensorPrimitives.Max(xr);
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Exp(yr, yr);
            TensorPrimitives.Divide(yr, TensorPrimitives.Sum(yr), yr);
        }
    }

    /// <summary>y = x - max - log sum exp(x - max) per row.</summary>
    public static void LogForward(ReadOnlySpan<float> x, int rows, int cols, Span<float> y)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * cols, cols);
            Span<float> yr = y.Slice(r * cols, cols);
            float max = TensorPrimitives.Max(xr);
            double sum = 0;
            foreach (float v in xr) sum += Math.Exp(v - max);
            float lse = max + (float)Math.Log(sum);
            TensorPrimitives.Subtract(xr, lse, yr);
        }
    }

    /// <summary>dX += y (dY - sum(dY y)) per row, from the softmax output y.</summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, int rows, int cols, Span<float> dX)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> yr = y.Slice(r * cols, cols), dr = dY.Slice(r * cols, cols);
            Span<float> dxr = dX.Slice(r * cols, cols);
            float dot = TensorPrimitives.Dot(dr, yr);
            for (int j = 0; j < cols; j++) dxr[j] += yr[j] * (dr[j] - dot);
        }
    }

    /// <summary>dX += dY - exp(y) sum(dY) per row, from the log-softmax output y.</summary>
    public static void LogBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dY, int rows, int cols, Span<float> dX)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> yr = y.Slice(r * cols, cols), dr = dY.Slice(r * cols, cols);
            Span<float> dxr = dX.Slice(r * cols, cols);
            float sum = TensorPrimitives.Sum(dr);
            for (int j = 0; j < cols; j++) dxr[j] += dr[j] - MathF.Exp(yr[j]) * sum;
        }
    }
}
