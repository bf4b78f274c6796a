using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MlPipelines.Engine.Compute;

namespace MlPipelines.Engine.Kernels;

/// <summary>Max, average and global pooling over NCHW tensors, forward and backward. Planes are split over threads.</summary>
internal static class Pool2d
{
    /// <summary>
    /// Max pooling; <paramref name="argmax"/> receives, per output, the index of the chosen input within its plane (the
    /// first NaN, else the first maximum in scan order), or is empty where no backward pass follows (inference).
    /// </summary>
    /// <param name="x">// [N, C, H, W]</param>
    /// <param name="g">Geometry.</param>
    /// <param name="y">// [N, C, OH, OW]</param>
    /// <param name="argmax">// [N, C, OH, OW] plane offsets of the maxima</param>
    /// <param name="threads">Degree of parallelism.</param>
    public static void MaxForward(ReadOnlySpan<float> x, in Pool2dGeometry g, Span<float> y, Span<int> argmax, int threads = 1)
    {
        Check(x.Length, g.InputLength, "x");
        Check(y.Length, g.OutputLength, "y");
        if (argmax.Length != 0) Check(argmax.Length, g.OutputLength, "argmax");
        unsafe
        {
            fixed (float* px = x, py = y)
            fixed (int* pa = argmax)
            {
                var body = new MaxBody { X = px, Y = py, Argmax = argmax.Length == 0 ? null : pa, G = g };
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
                MaxPlane(X + (long)p * inPlane, G, Y + (long)p * outPlane, Argmax is null ? null : Argmax + (long)p * outPlane);
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
    public static void GlobalAvgForward(ReadOnlySpan<float> x, int planes, int planeSize, Span<float> y, int threads = 1)
    {
        Check(x.Length, planes * planeSize, "x");
        Check(y.Length, planes, "y");
        unsafe
        {
            fixed (float* px = x, py = y)
                DeterministicParallel.For(planes, threads, PlanesPerChunk(planeSize), new GlobalAvgBody { X = px, Y = py, PlaneSize = planeSize });
        }
    }

    /// <summary>Planes per chunk for a pass over whole planes: about 64K floats, so small maps do not pay a dispatch per few planes.</summary>
    internal static int PlanesPerChunk(int planeSize) => Math.Max(1, (1 << 16) / Math.Max(1, planeSize));

    /// <summary>The mean of each plane in [p0, p1): one sum per plane, so the split does not change the bits.</summary>
    private unsafe struct GlobalAvgBody : IChunkBody
    {
        public float* X, Y;
        public int PlaneSize;

        public readonly void Run(int p0, int p1)
        {
            for (int p = p0; p < p1; p++) Y[p] = TensorPrimitives.Sum(new ReadOnlySpan<float>(X + (long)p * PlaneSize, PlaneSize)) / PlaneSize;
        }
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

    /// <summary>
    /// Max pooling of one plane. Windows wholly inside the input (all outputs but a border one or two wide) run a loop
    /// without bounds checks; border windows clip to the input. A NaN in a window wins (the first one), else the first
    /// maximum in scan order; <paramref name="argmax"/> (null: not recorded) gets its offset in the plane.
    /// </summary>
    private static unsafe void MaxPlane(float* x, in Pool2dGeometry g, float* y, int* argmax)
    {
        (int ox0, int ox1) = Interior(g.InWidth, g.KernelWidth, g.StrideW, g.PadW, g.DilationW, g.OutWidth);
        for (int oy = 0; oy < g.OutHeight; oy++)
        {
            float* yRow = y + oy * g.OutWidth;
            int* argRow = argmax is null ? null : argmax + oy * g.OutWidth;
            // The window rows inside the input (all of them but at the top and bottom border).
            int top = oy * g.StrideH - g.PadH, i0 = 0, i1 = g.KernelHeight;
            while (i0 < i1 && top + i0 * g.DilationH < 0) i0++;
            while (i1 > i0 && top + (i1 - 1) * g.DilationH >= g.InHeight) i1--;
            if (i0 == i1)
            {
                MaxClipped(x, g, oy, 0, g.OutWidth, yRow, argRow);
                continue;
            }
            MaxClipped(x, g, oy, 0, ox0, yRow, argRow);
            int ox = MaxInsideVector(x, g, oy, i0, i1, ox0, ox1, yRow, argRow);
            MaxInside(x, g, oy, i0, i1, ox, ox1, yRow, argRow);
            MaxClipped(x, g, oy, ox1, g.OutWidth, yRow, argRow);
        }
    }

    /// <summary>The outputs [first, end) along one axis whose windows lie wholly inside the input.</summary>
    private static (int First, int End) Interior(int size, int kernel, int stride, int pad, int dilation, int outSize)
    {
        int first = (pad + stride - 1) / stride;
        int lastStart = size - 1 - (kernel - 1) * dilation + pad; // the largest o x stride whose window still fits
        int end = lastStart < 0 ? 0 : Math.Min(lastStart / stride + 1, outSize);
        return (first, Math.Max(first, end));
    }

    /// <summary>
    /// Eight inside windows at a time for strides 1 and 2 (AVX2): each tap is compared for eight outputs at once and the
    /// winner kept by masks, with the scalar loop's rule (the first NaN, else the first maximum), so the same values and
    /// offsets without its branches, which random data mispredicts at about every third tap. Returns the first output
    /// left for the scalar loop.
    /// </summary>
    private static unsafe int MaxInsideVector(float* x, in Pool2dGeometry g, int oy, int i0, int i1, int ox0, int ox1, float* yRow, int* argRow)
    {
        int sw = g.StrideW;
        if (!Avx2.IsSupported || sw > 2 || ox1 - ox0 < 8) return ox0;
        int w = g.InWidth, kw = g.KernelWidth, rowStep = g.DilationH * w, colStep = g.DilationW;
        int rowOrigin = (oy * g.StrideH - g.PadH) * w - g.PadW;
        // A stride-2 step loads 16 floats for 8 outputs: the last one may lie past the window, so stay inside the plane.
        int firstTap = i0 * rowStep, lastTap = (i1 - 1) * rowStep + (kw - 1) * colStep, plane = g.InHeight * w;
        Vector256<int> lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * sw;
        for (int ox = ox0; ox < ox1; ox += 8)
        {
            // The last block ends at ox1, overlapping the one before: its outputs come out the same either way.
            ox = Math.Min(ox, ox1 - 8);
            int origin = rowOrigin + ox * sw;
            if (origin + lastTap + 8 * sw > plane) return ox;
            float* window = x + origin;
            Vector256<float> best = StridedLoad.Eight(window + firstTap, sw);
            Vector256<int> bestAt = Vector256.Create(firstTap);
            for (int i = i0, rowAt = firstTap; i < i1; i++, rowAt += rowStep)
                for (int j = 0, at = rowAt; j < kw; j++, at += colStep)
                {
                    Vector256<float> v = StridedLoad.Eight(window + at, sw);
                    Vector256<float> vNaN = ~Vector256.Equals(v, v), bestNaN = ~Vector256.Equals(best, best);
                    Vector256<float> take = Vector256.GreaterThan(v, best) | Vector256.AndNot(vNaN, bestNaN);
                    best = Vector256.ConditionalSelect(take, v, best);
                    bestAt = Vector256.ConditionalSelect(take.AsInt32(), Vector256.Create(at), bestAt);
                }
            best.Store(yRow + ox);
            if (argRow is not null) (bestAt + lanes + Vector256.Create(origin)).Store(argRow + ox);
        }
        return ox1;
    }


    /// <summary>Outputs [ox0, ox1) of row <paramref name="oy"/>, whose windows lie inside the input from row i0 to i1 (exclusive).</summary>
    private static unsafe void MaxInside(float* x, in Pool2dGeometry g, int oy, int i0, int i1, int ox0, int ox1, float* yRow, int* argRow)
    {
        int w = g.InWidth, kw = g.KernelWidth, rowStep = g.DilationH * w, colStep = g.DilationW, sw = g.StrideW;
        int rowOrigin = (oy * g.StrideH - g.PadH) * w - g.PadW, firstTap = i0 * rowStep;
        for (int ox = ox0; ox < ox1; ox++)
        {
            int origin = rowOrigin + ox * sw;
            float* window = x + origin;
            float best = window[firstTap];
            int bestAt = firstTap;
            for (int i = i0, rowAt = firstTap; i < i1; i++, rowAt += rowStep)
                for (int j = 0, at = rowAt; j < kw; j++, at += colStep)
                {
                    float v = window[at];
                    if (v > best || (float.IsNaN(v) && !float.IsNaN(best)))
                    {
                        best = v;
                        bestAt = at;
                    }
                }
            yRow[ox] = best;
            if (argRow is not null) argRow[ox] = origin + bestAt;
        }
    }

    private static unsafe void MaxClipped(float* x, in Pool2dGeometry g, int oy, int ox0, int ox1, float* yRow, int* argRow)
    {
        for (int ox = ox0; ox < ox1; ox++)
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
            yRow[ox] = bestValue;
            if (argRow is not null) argRow[ox] = Math.Max(best, 0);
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
