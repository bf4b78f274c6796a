using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MlPipelines.Engine.Compute;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// The forward pass of depthwise convolutions (one input and one output channel per group: the 3x3 and 5x5 layers of
/// MobileNets and EfficientNets) computed directly. As GEMMs they are products of one row (the channel's K x K weights)
/// with a K x K-row unfolded matrix, one call per channel, where the calls and the unfolding cost more than the arithmetic.
/// Here each plane is copied once into a zero-bordered scratch plane, and eight outputs of a row at a time sum their taps
/// with fused multiply-adds in the order the GEMM's micro-kernel sums them (taps in order from zero, zeros included for
/// padding), then take the bias and the epilogue: the same bits as the GEMM route. Planes are split over threads.
/// </summary>
internal static unsafe class DepthwiseConv
{
    /// <summary>Depthwise (groups = in = out channels), stride 1 or 2 across, with AVX2 for the strided loads.</summary>
    public static bool Applies(in Conv2dGeometry g) =>
        Avx2.IsSupported && g.Groups > 1 && g.Groups == g.InChannels && g.OutChannels == g.InChannels && g.StrideW is 1 or 2;

    /// <summary>y = epilogue(conv(x, w) + bias) for a depthwise geometry (see <see cref="Applies"/>).</summary>
    public static void Forward(float* x, float* w, float* bias, in Conv2dGeometry g, float* y, in ConvEpilogue epilogue, int threads)
    {
        var body = new PlanesBody { X = x, W = w, Bias = bias, Y = y, G = g, Epilogue = epilogue };
        DeterministicParallel.For(g.Batch * g.InChannels, threads, 4, body);
    }

    /// <summary>Scratch row width: every eight-output block of a row reads inside it (16 floats per load at stride 2).</summary>
    private static int RowWidth(in Conv2dGeometry g) =>
        ((g.OutWidth + 7) & ~7) * g.StrideW + (g.KernelWidth - 1) * g.DilationW + 16;

    private static int PaddedHeight(in Conv2dGeometry g) => g.InHeight + g.PadTop + g.PadBottom;

    [ThreadStatic] private static float[]? t_scratch;

    private struct PlanesBody : IChunkBody
    {
        public float* X, W, Bias, Y;
        public Conv2dGeometry G;
        public ConvEpilogue Epilogue;

        public readonly void Run(int p0, int p1)
        {
            int rowWidth = RowWidth(G), rows = PaddedHeight(G), outRow = (G.OutWidth + 7) & ~7;
            int padded = rows * rowWidth;
            if (t_scratch is null || t_scratch.Length < padded + outRow)
                t_scratch = GC.AllocateUninitializedArray<float>(padded + outRow, pinned: true);
            float* scratch = (float*)Unsafe.AsPointer(ref t_scratch[0]);
            // Borders stay zero across the chunk's planes: only the interior is written.
            new Span<float>(scratch, padded).Clear();
            int inPlane = G.InHeight * G.InWidth, outPlane = G.OutHeight * G.OutWidth, taps = G.KernelHeight * G.KernelWidth;
            for (int p = p0; p < p1; p++)
            {
                int channel = p % G.InChannels;
                float* src = X + (long)p * inPlane;
                for (int r = 0; r < G.InHeight; r++)
                    new ReadOnlySpan<float>(src + r * G.InWidth, G.InWidth).CopyTo(new Span<float>(scratch + (r + G.PadTop) * rowWidth + G.PadLeft, G.InWidth));
                float* plane = Y + (long)p * outPlane;
                Plane(scratch, rowWidth, W + (long)channel * taps, Bias is null ? 0 : Bias[channel], Bias is not null, G, scratch + padded, plane);
                if (!Epilogue.IsNone) Epilogue.Apply(new Span<float>(plane, outPlane), channel);
            }
        }
    }

    /// <summary>One output plane from a zero-bordered input plane; <paramref name="row"/> holds a row rounded up to eight.</summary>
    private static void Plane(float* padded, int rowWidth, float* w, float bias, bool hasBias, in Conv2dGeometry g, float* row, float* y)
    {
        int kh = g.KernelHeight, kw = g.KernelWidth, sh = g.StrideH, sw = g.StrideW, dh = g.DilationH * rowWidth, dw = g.DilationW;
        for (int oy = 0; oy < g.OutHeight; oy++)
        {
            float* top = padded + oy * sh * rowWidth;
            for (int ox = 0; ox < g.OutWidth; ox += 8)
            {
                float* origin = top + ox * sw;
                Vector256<float> acc = Vector256<float>.Zero;
                for (int i = 0, t = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++, t++)
                        acc = Vector256.FusedMultiplyAdd(Vector256.Create(w[t]), StridedLoad.Eight(origin + i * dh + j * dw, sw), acc);
                acc.Store(row + ox);
            }
            float* dst = y + oy * g.OutWidth;
            if (hasBias)
                for (int ox = 0; ox < g.OutWidth; ox++) dst[ox] = row[ox] + bias;
            else
                new ReadOnlySpan<float>(row, g.OutWidth).CopyTo(new Span<float>(dst, g.OutWidth));
        }
    }
}
