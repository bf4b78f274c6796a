using System.Numerics.Tensors;
using MlPipelines.Engine.Compute;

namespace MlPipelines.Engine.Kernels;

/// <summary>Max, average and global pooling over NCHW tensors, forward and backward. Planes are split over threads.</summary>
internal static class Pool2d
{
    /// <summary>Max pooling; <paramref name="argmax"/> receives, per output, the index of the chosen input within its plane (first maximum in scan order).</summary>
    /// <param name="x">// [N, C, H, W]</param>
    /// <param name="g">Geometry.</param>
    /// <param name="y">// [N, C, OH, OW]</param>
    /// <param name="argmax">// [N, C, OH, OW] plane offsets of the maxima</param>
    /// <param name="threads">Degree of parallelism.</param>
    public static void MaxForward(ReadOnlySpan<float> x, in Pool2dGeometry g, Span<float> y, Span<int> argmax, int threads = 1)
    {
        Check(x.Length, g.InputLength, "x");
        Check(y.Length, g.OutputLength, "y");
        Check(argmax.Length, g.OutputLength, "argmax");
        unsafe
        {
            fixed (float* px = x, py = y)
            fixed (int* pa = argmax)
            {
                var body = new MaxBody { X = px, Y = py, Argmax = pa, G = g };
                DeterministicParallel.For(g.Batch * g.Channels, threads, 8, body);
            }
        }
    }

    /// <summary>Max pooling of the planes [p0, p1).</summary>
    private unsafe struct MaxBody : IChunkBody
    {
        public float* X, Y;
        public int* Argmax;
        public Pool2dGeometry G;

        public readonly void Run(int p0, int p1)
        {
            int inPlane = G.InHeight * G.InWidth, outPlane = G.OutHeight * G.OutWidth;
            for (int p = p0; p < p1; p++)
                MaxPlane(new ReadOnlySpan<float>(X + (long)p * inPlane, inPlane), G,
                    new Span<float>(Y + (long)p * outPlane, outPlane), new Span<int>(Argmax + (long)p * outPlane, outPlane));
        }
    }

    /// <summary>dX[argmax] += dY.</summary>
    /// <param name="dY">// [N, C, OH, OW]</param>
    /// <param name="argmax">// [N, C, OH, OW] from the forward pass</param>
    /// <param name="g">Geometry.</param>
    /// <param name="dX">// [N, C, H, W], accumulated into</param>
    public static void MaxBackward(ReadOnlySpan<float> dY, ReadOnlySpan<int> argmax, in Pool2dGeometry g, Span<float> dX)
    {
        Check(dY.Length, g.OutputLength, "dY");
        Check(dX.Length, g.InputLength, "dX");
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (int p = 0; p < g.Batch * g.Channels; p++)
        {
            Span<float> d = dX.Slice(p * inPlane, inPlane);
            for (int o = 0; o < outPlane; o++) d[argmax[p * outPlane + o]] += dY[p * outPlane + o];
        }
    }

    /// <summary>Average pooling; the divisor counts padding when <paramref name="countIncludePad"/> (PyTorch's rule).</summary>
    /// <param name="x">// [N, C, H, W]</param>
    /// <param name="g">Geometry.</param>
    /// <param name="countIncludePad">Whether padded positions count in the divisor.</param>
    /// <param name="y">// [N, C, OH, OW]</param>
    /// <param name="threads">Degree of parallelism.</param>
    public static void AvgForward(ReadOnlySpan<float> x, in Pool2dGeometry g, bool countIncludePad, Span<float> y, int threads = 1)
    {
        Check(x.Length, g.InputLength, "x");
        Check(y.Length, g.OutputLength, "y");
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (int p = 0; p < g.Batch * g.Channels; p++)
        {
            ReadOnlySpan<float> xp = x.Slice(p * inPlane, inPlane);
            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    var (y0, y1, x0, x1, div) = AvgWindow(g, oy, ox, countIncludePad);
                    float sum = 0;
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++) sum += xp[iy * g.InWidth + ix];
                    y[p * outPlane + oy * g.OutWidth + ox] = sum / div;
                }
        }
    }

    /// <summary>dX += the adjoint of average pooling.</summary>
    /// <param name="dY">// [N, C, OH, OW]</param>
    /// <param name="g">Geometry.</param>
    /// <param name="countIncludePad">As in the forward pass.</param>
    /// <param name="dX">// [N, C, H, W], accumulated into</param>
    public static void AvgBackward(ReadOnlySpan<float> dY, in Pool2dGeometry g, bool countIncludePad, Span<float> dX)
    {
        Check(dY.Length, g.OutputLength, "dY");
        Check(dX.Length, g.InputLength, "dX");
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        for (int p = 0; p < g.Batch * g.Channels; p++)
        {
            Span<float> d = dX.Slice(p * inPlane, inPlane);
            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    var (y0, y1, x0, x1, div) = AvgWindow(g, oy, ox, countIncludePad);
                    float v = dY[p * outPlane + oy * g.OutWidth + ox] / div;
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++) d[iy * g.InWidth + ix] += v;
                }
        }
    }

    /// <summary>Mean of each plane: [N, C, H, W] to [N, C].</summary>
    public static void GlobalAvgForward(ReadOnlySpan<float> x, int planes, int planeSize, Span<float> y)
    {
        Check(x.Length, planes * planeSize, "x");
        Check(y.Length, planes, "y");
        for (int p = 0; p < planes; p++) y[p] = TensorPrimitives.Sum(x.Slice(p * planeSize, planeSize)) / planeSize;
    }

    /// <summary>dX[p, :] += dY[p] / planeSize.</summary>
    public static void GlobalAvgBackward(ReadOnlySpan<float> dY, int planes, int planeSize, Span<float> dX)
    {
        Check(dX.Length, planes * planeSize, "dX");
        for (int p = 0; p < planes; p++)
        {
            Span<float> d = dX.Slice(p * planeSize, planeSize);
            TensorPrimitives.Add(d, dY[p] / planeSize, d);
        }
    }

    /// <summary>Maximum of each plane, with the offset of its first occurrence.</summary>
    public static void GlobalMaxForward(ReadOnlySpan<float> x, int planes, int planeSize, Span<float> y, Span<int> argmax)
    {
        Check(x.Length, planes * planeSize, "x");
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> xp = x.Slice(p * planeSize, planeSize);
            int best = 0;
            for (int i = 1; i < planeSize; i++) if (xp[i] > xp[best] || (float.IsNaN(xp[i]) && !float.IsNaN(xp[best]))) best = i;
            y[p] = xp[best];
            argmax[p] = best;
        }
    }

    /// <summary>dX[p, argmax[p]] += dY[p].</summary>
    public static void GlobalMaxBackward(ReadOnlySpan<float> dY, ReadOnlySpan<int> argmax, int planes, int planeSize, Span<float> dX)
    {
        for (int p = 0; p < planes; p++) dX[p * planeSize + argmax[p]] += dY[p];
    }

    private static void MaxPlane(ReadOnlySpan<float> x, in Pool2dGeometry g, Span<float> y, Span<int> argmax)
    {
        for (int oy = 0; oy < g.OutHeight; oy++)
            for (int ox = 0; ox < g.OutWidth; ox++)
            {
                int best = -1;
                float bestValue = float.NegativeInfinity;
                for (int kh = 0; kh < g.KernelHeight; kh++)
                {
                    int iy = oy * g.StrideH - g.PadH + kh * g.DilationH;
                    if ((uint)iy >= (uint)g.InHeight) continue;
                    for (int kw = 0; kw < g.KernelWidth; kw++)
                    {
                        int ix = ox * g.StrideW - g.PadW + kw * g.DilationW;
                        if ((uint)ix >= (uint)g.InWidth) continue;
                        float v = x[iy * g.InWidth + ix];
                        if (best < 0 || v > bestValue || (float.IsNaN(v) && !float.IsNaN(bestValue)))
                        {
                            best = iy * g.InWidth + ix;
                            bestValue = v;
                        }
                    }
                }
                y[oy * g.OutWidth + ox] = bestValue;
                argmax[oy * g.OutWidth + ox] = Math.Max(best, 0);
            }
    }

    private static (int Y0, int Y1, int X0, int X1, float Divisor) AvgWindow(in Pool2dGeometry g, int oy, int ox, bool countIncludePad)
    {
        int y0 = oy * g.StrideH - g.PadH, x0 = ox * g.StrideW - g.PadW;
        int y1 = Math.Min(y0 + g.KernelHeight, g.InHeight + g.PadH), x1 = Math.Min(x0 + g.KernelWidth, g.InWidth + g.PadW);
        int padded = (y1 - y0) * (x1 - x0);
        y0 = Math.Max(y0, 0);
        x0 = Math.Max(x0, 0);
        y1 = Math.Min(y1, g.InHeight);
        x1 = Math.Min(x1, g.InWidth);
        int inside = (y1 - y0) * (x1 - x0);
        return (y0, y1, x0, x1, countIncludePad ? padded : Math.Max(inside, 1));
    }

    private static void Check(int actual, int expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} holds {actual} elements; the geometry needs {expected}.", name);
    }
}
