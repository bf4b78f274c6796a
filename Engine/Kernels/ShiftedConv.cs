using System.Buffers;
using System.Numerics.Tensors;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// Stride-1 "same" convolutions (kernel = 2 x pad + 1 on both axes, no dilation: the 3x3 pad-1 layers of VGGs and
/// ResNets) without an unfolded matrix. Each channel is copied once into a zero-bordered grid whose rows carry pw zero
/// columns after their W pixels and whose images carry ph zero rows after their H rows; a row's trailing zeros are also the
/// next row's left padding, and an image's trailing rows the next image's top padding. On that grid, row (c, kh, kw) of
/// the im2col matrix is simply channel c's grid read from offset kh x rowWidth + kw, so the GEMM reads those shifted views
/// in place (<see cref="Gemm.SgemmRowTable"/>). Outputs are computed on the grid too and the junk positions between
/// valid ones dropped: 7 % more multiply-adds at 28x28, 15 % at 14x14, 31 % at 7x7, against writing and reading back an
/// unfolded matrix K x K times the input's size. Several small images share one grid.
/// The input gradient is the same convolution of dY with the weights flipped and in/out swapped; the weight gradient is
/// the dot product of dY laid out on the grid (zeros at junk positions) with the shifted input views
/// (<see cref="RowDot.AccumulateRowTable"/>).
/// </summary>
internal static unsafe class ShiftedConv
{
    /// <summary>About this many grid positions per multiplication (as <see cref="Conv2d"/>'s unfolded matrices).</summary>
    private const int TargetColumns = 784;

    /// <summary>True for stride 1, no dilation and "same" padding (kernel = 2 x pad + 1 on each axis), pointwise excluded.</summary>
    public static bool Applies(in Conv2dGeometry g) =>
        !g.IsPointwise && g.StrideH == 1 && g.StrideW == 1 && g.DilationH == 1 && g.DilationW == 1
        && g.KernelHeight == 2 * g.PadTop + 1 && g.PadBottom == g.PadTop
        && g.KernelWidth == 2 * g.PadLeft + 1 && g.PadRight == g.PadLeft;

    /// <summary>Copying one element of an unfolded matrix costs about this many multiply-adds of the product it feeds.</summary>
    private const int UnfoldCost = 20;

    /// <summary>
    /// Whether the grid beats unfolding for a product of <paramref name="rows"/> rows (output channels per group). The grid
    /// also computes its junk positions: ImageSpan / (H x W) - 1 more multiply-adds per useful one for 3x3 kernels, 13 % at
    /// 16x16 and 31 % at 7x7 but 56 % at 4x4 and 125 % at 2x2. Unfolding copies K x K elements per input element instead,
    /// about <see cref="UnfoldCost"/> multiply-adds' worth each, which the product's rows share. On ResNet-18 at 64x64 (batch
    /// 64, one thread) unfolding the 8x8, 4x4 and 2x2 stages (128-512 channels) raised inference from 110-132 to 143-155
    /// images/s; ResNet-20's stages (16-64 channels at 28x28, 14x14, 7x7) stay on the grid, where they are fastest.
    /// </summary>
    public static bool Pays(in Conv2dGeometry g, int rows)
    {
        if (!Applies(g)) return false;
        long plane = (long)g.InHeight * g.InWidth, junk = new Grid(g, 1).ImageSpan - plane;
        return junk * rows <= UnfoldCost * plane;
    }

    /// <summary>Images that share one grid: 1 at 28x28, 3 at 14x14, 12 at 7x7 for 3x3 kernels.</summary>
    internal static int ImagesPerGemm(in Conv2dGeometry g) => Math.Max(1, TargetColumns / new Grid(g, 1).ImageSpan);

    /// <summary>Where pixels sit on the grid of <see cref="Images"/> images; column j of a product is grid position Lead + j.</summary>
    private readonly struct Grid
    {
        /// <summary>The grid of <paramref name="images"/> whole images, or of one band of <paramref name="rows"/> rows.</summary>
        public Grid(in Conv2dGeometry g, int images, int rows = 0)
        {
            (H, W, Images) = (rows > 0 ? rows : g.InHeight, g.InWidth, images);
            RowWidth = g.InWidth + g.PadLeft;
            ImageSpan = (H + g.PadTop) * RowWidth;
            Lead = g.PadTop * RowWidth + g.PadLeft;
            Taps = g.KernelHeight * g.KernelWidth;
            KernelWidth = g.KernelWidth;
        }

        public int H { get; }
        public int W { get; }
        public int Images { get; }
        public int RowWidth { get; }
        public int ImageSpan { get; }
        public int Lead { get; }
        public int Taps { get; }
        public int KernelWidth { get; }

        /// <summary>Product columns for <paramref name="count"/> images: up to the last valid pixel of the last one.</summary>
        public int Columns(int count) => (count - 1) * ImageSpan + (H - 1) * RowWidth + W;

        /// <summary>Floats per channel: every column reads up to Lead before and after its own position.</summary>
        public int PlaneLength => Columns(Images) + 2 * Lead;

        /// <summary>Row (c, kh, kw) of the implicit im2col matrix starts at c x plane + kh x rowWidth + kw.</summary>
        public void FillOffsets(Span<int> offsets, int channels)
        {
            for (int c = 0, p = 0; c < channels; c++)
                for (int t = 0; t < Taps; t++, p++) offsets[p] = c * PlaneLength + t / KernelWidth * RowWidth + t % KernelWidth;
        }

        /// <summary>Copies an H x W plane into image <paramref name="image"/> of a grid plane (at Lead) or of a product row (at 0).</summary>
        public void Place(float* src, float* dst, int image)
        {
            float* d = dst + (long)image * ImageSpan;
            for (int r = 0; r < H; r++) ShortRows.Copy(src + r * W, d + r * RowWidth, W);
        }

        /// <summary>
        /// Copies the input rows that output rows [r0, r0 + H) of an <paramref name="inHeight"/>-row plane read (the band's
        /// own and up to <paramref name="halo"/> on either side; the rest stay zero: the image's border) into a one-image
        /// grid plane (at Lead), the band's first row on the grid's first.
        /// </summary>
        public void PlaceBand(float* src, float* dst, int r0, int inHeight, int halo)
        {
            for (int r = Math.Max(0, r0 - halo), end = Math.Min(inHeight, r0 + H + halo); r < end; r++)
                ShortRows.Copy(src + (long)r * W, dst + (long)(r - r0) * RowWidth, W);
        }

        /// <summary>Pixels of image <paramref name="image"/> whose grid position (product column) is below <paramref name="column"/>.</summary>
        public int PixelsBefore(int image, int column)
        {
            long local = column - (long)image * ImageSpan;
            if (local <= 0) return 0;
            long row = local / RowWidth;
            return row >= H ? H * W : (int)(row * W + Math.Min(local % RowWidth, W));
        }

        /// <summary>
        /// Pixels [p0, p1) of dst (an H x W plane) = or += their positions in image <paramref name="image"/> of a product row,
        /// plus <paramref name="bias"/>.
        /// </summary>
        public void Take(float* row, int image, float* dst, int p0, int p1, bool accumulate, float bias)
        {
            if (p0 == 0 && p1 == H * W)
            {
                // The whole plane (every product on one thread): row by row, without the partial rows' bookkeeping.
                float* s = row + (long)image * ImageSpan;
                for (int y = 0; y < H; y++)
                {
                    float* rowFrom = s + y * RowWidth, rowTo = dst + y * W;
                    if (accumulate) ShortRows.AddTo(rowFrom, rowTo, W);
                    else if (bias != 0) ShortRows.AddScalar(rowFrom, bias, rowTo, W);
                    else ShortRows.Copy(rowFrom, rowTo, W);
                }
                return;
            }
            int r = p0 / W, c = p0 - r * W;
            float* from = row + (long)image * ImageSpan + r * RowWidth + c, to = dst + p0;
            for (int left = p1 - p0; left > 0; from += RowWidth - c, c = 0)
            {
                int length = Math.Min(W - c, left);
                if (accumulate) ShortRows.AddTo(from, to, length);
                else if (bias != 0) ShortRows.AddScalar(from, bias, to, length);
                else ShortRows.Copy(from, to, length);
                to += length;
                left -= length;
            }
        }
    }

    /// <summary>
    /// dst (=, or += when <paramref name="accumulate"/>) conv(src, w) + bias for images [n0, n1): src has groups x inPer
    /// channels, dst groups x outPer, w is [groups x outPer, inPer, KH, KW]. Serves the forward pass (x, w) and the input
    /// gradient (dY, flipped w^T). A written (not accumulated) plane then goes through <paramref name="epilogue"/>.
    /// </summary>
    /// <remarks>
    /// With <paramref name="rowEnd"/> >= 0 only output rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) are
    /// computed, on a grid of that band (and the input rows next to it) one image at a time: a thread's share of a batch-1
    /// layer split by rows, which reads and writes only rows near its own.
    /// </remarks>
    public static void Run(float* src, float* w, float* bias, int inPer, int outPer, in Conv2dGeometry g, float* dst, bool accumulate, int n0, int n1,
        in ConvEpilogue epilogue = default, int gemmThreads = 1, int rowStart = 0, int rowEnd = -1)
    {
        bool band = rowEnd >= 0;
        // A grid of no more images than the call has (batch-1 inference on a 7x7 map would otherwise clear a grid of 12).
        int nb = band ? 1 : Math.Min(ImagesPerGemm(g), n1 - n0), groups = g.Groups, hw = g.InHeight * g.InWidth;
        var grid = band ? new Grid(g, 1, rowEnd - rowStart) : new Grid(g, nb);
        int plane = grid.PlaneLength, patch = inPer * grid.Taps;
        // A panel of slack after the last channel: the GEMM then reads a ragged last panel of columns in place.
        using var work = new Workspace(grid, inPer, outPer, clearMatrix: false, inputSlack: Gemm.NR);
        int[] offsets = work.Offsets;
        fixed (float* pin = work.Input, pprod = work.Matrix)
        {
            for (int n = n0; n < n1; n += nb)
            {
                int images = Math.Min(nb, n1 - n), columns = grid.Columns(images);
                for (int grp = 0; grp < groups; grp++)
                {
                    for (int i = 0; i < images; i++)
                        for (int c = 0; c < inPer; c++)
                        {
                            float* from = src + ((long)(n + i) * groups * inPer + grp * inPer + c) * hw, to = pin + (long)c * plane + grid.Lead;
                            if (band) grid.PlaceBand(from, to, rowStart, g.InHeight, g.PadTop);
                            else grid.Place(from, to, i);
                        }
                    // Each block of output channels is taken off the grid by the thread that computed it, while in its cache.
                    var take = new TakeChannels
                    {
                        Grid = grid, Product = pprod, Columns = columns, Images = images, Bias = bias, Accumulate = accumulate, Epilogue = epilogue,
                        Output = dst + ((long)n * groups + grp) * outPer * hw + (long)rowStart * g.InWidth, ImageStride = (long)groups * outPer * hw, PlaneStride = hw,
                        FirstChannel = grp * outPer,
                    };
                    Gemm.SgemmRowTable(outPer, columns, patch, 1, new ReadOnlySpan<float>(w + (long)grp * outPer * patch, outPer * patch), patch,
                        new ReadOnlySpan<float>(pin, inPer * plane + Gemm.NR), offsets.AsSpan(0, patch), 0, new Span<float>(pprod, outPer * columns), columns, gemmThreads, take);
                }
            }
        }
    }

    /// <summary>
    /// Takes the block [m0, m1) x [n0, n1) of a grid product (output channels FirstChannel + m0.. of each image, the pixels
    /// on those grid columns) into their planes: plus the bias, then through the epilogue, or added when accumulating.
    /// </summary>
    private struct TakeChannels : Gemm.IBlockDone
    {
        public Grid Grid;
        public float* Product, Bias, Output;
        public int Columns, Images, FirstChannel, PlaneStride;
        public long ImageStride;
        public bool Accumulate;
        public ConvEpilogue Epilogue;

        public readonly void Done(int m0, int m1, int n0, int n1)
        {
            for (int i = 0; i < Images; i++)
            {
                // The pixels of image i on grid columns [n0, n1): a run of its plane, since grid positions follow the pixels' order.
                int p0 = Grid.PixelsBefore(i, n0), p1 = Grid.PixelsBefore(i, n1);
                if (p0 == p1) continue;
                for (int o = m0; o < m1; o++)
                {
                    int channel = FirstChannel + o;
                    float* output = Output + i * ImageStride + (long)o * PlaneStride;
                    Grid.Take(Product + (long)o * Columns, i, output, p0, p1, Accumulate, Bias is null ? 0 : Bias[channel]);
                    if (!Accumulate && !Epilogue.IsNone) Epilogue.Apply(new Span<float>(output + p0, p1 - p0), channel);
                }
            }
        }
    }

    /// <summary>The weights of the input-gradient convolution: wt[grp, c, o, kh, kw] = w[grp, o, c, KH-1-kh, KW-1-kw].</summary>
    public static void FlipTranspose(ReadOnlySpan<float> w, in Conv2dGeometry g, Span<float> wt)
    {
        int gi = g.GroupInChannels, og = g.GroupOutChannels, taps = g.KernelHeight * g.KernelWidth;
        for (int grp = 0; grp < g.Groups; grp++)
            for (int o = 0; o < og; o++)
                for (int c = 0; c < gi; c++)
                {
                    ReadOnlySpan<float> from = w.Slice(((grp * og + o) * gi + c) * taps, taps);
                    Span<float> to = wt.Slice(((grp * gi + c) * og + o) * taps, taps);
                    for (int t = 0; t < taps; t++) to[taps - 1 - t] = from[t];
                }
    }

    /// <summary>dW += dY (x) shifted x and dB += sums of dY for images [n0, n1).</summary>
    public static void BackwardWeights(float* x, float* dY, in Conv2dGeometry g, float* dW, float* dB, int n0, int n1)
    {
        int nb = ImagesPerGemm(g), groups = g.Groups, gi = g.GroupInChannels, og = g.GroupOutChannels, hw = g.InHeight * g.InWidth;
        var grid = new Grid(g, nb);
        // The dot products run over whole vectors (RowDot.PaddedLength): each dY row is padded with zeros past its last
        // valid position, and the input grid has as many readable floats after its last plane, so the extra products are 0.
        int plane = grid.PlaneLength, patch = gi * grid.Taps, stride = RowDot.PaddedLength(grid.Columns(nb)), slack = RowDot.PaddedLength(1);
        // dY on the grid's columns: only valid positions are ever written, so junk positions stay zero and add nothing.
        // One more row of dY than needed: its rows start on a 64-byte boundary (whole cache lines for every vector load).
        using var work = new Workspace(grid, gi, og + 1, clearMatrix: true, matrixStride: stride, inputSlack: slack);
        int[] offsets = work.Offsets;
        fixed (float* pin = work.Input, matrix = work.Matrix)
        {
            float* pgrad = (float*)(((nint)matrix + 63) & ~(nint)63);
            for (int n = n0; n < n1; n += nb)
            {
                int images = Math.Min(nb, n1 - n), columns = grid.Columns(images), length = RowDot.PaddedLength(columns);
                for (int grp = 0; grp < groups; grp++)
                {
                    for (int i = 0; i < images; i++)
                    {
                        for (int c = 0; c < gi; c++)
                            grid.Place(x + ((long)(n + i) * g.InChannels + grp * gi + c) * hw, pin + (long)c * plane + grid.Lead, i);
                        for (int o = 0; o < og; o++)
                            grid.Place(dY + ((long)(n + i) * g.OutChannels + grp * og + o) * hw, pgrad + (long)o * stride, i);
                    }
                    // A short last chunk leaves the previous chunk's images in the rows past its columns: zero the padding.
                    if (images < nb)
                        for (int o = 0; o < og; o++) new Span<float>(pgrad + (long)o * stride + columns, length - columns).Clear();
                    RowDot.AccumulateRowTable(new ReadOnlySpan<float>(pgrad, og * stride), stride, new ReadOnlySpan<float>(pin, gi * plane + slack),
                        offsets.AsSpan(0, patch), og, patch, length, new Span<float>(dW + (long)grp * og * patch, og * patch), patch);
                }
                if (dB is not null)
                    for (int i = 0; i < images; i++)
                        for (int o = 0; o < g.OutChannels; o++)
                            dB[o] += TensorPrimitives.Sum(new ReadOnlySpan<float>(dY + ((long)(n + i) * g.OutChannels + o) * hw, hw));
            }
        }
    }

    /// <summary>
    /// One chunk's pooled buffers: the input grid of <c>inChannels</c> planes and <c>inputSlack</c> floats (cleared: its
    /// borders stay zero, since only valid positions are ever written), a matrix of <c>rows</c> x the grid's columns (or
    /// <c>matrixStride</c>), and the implicit matrix's row offsets.
    /// </summary>
    private readonly struct Workspace : IDisposable
    {
        public Workspace(in Grid grid, int inChannels, int rows, bool clearMatrix, int matrixStride = 0, int inputSlack = 0)
        {
            int inputLength = inChannels * grid.PlaneLength + inputSlack, matrixLength = rows * Math.Max(matrixStride, grid.Columns(grid.Images));
            Input = ArrayPool<float>.Shared.Rent(inputLength);
            Matrix = ArrayPool<float>.Shared.Rent(matrixLength);
            Offsets = ArrayPool<int>.Shared.Rent(inChannels * grid.Taps);
            Array.Clear(Input, 0, inputLength);
            if (clearMatrix) Array.Clear(Matrix, 0, matrixLength);
            grid.FillOffsets(Offsets, inChannels);
        }

        public float[] Input { get; }

        public float[] Matrix { get; }

        public int[] Offsets { get; }

        public void Dispose()
        {
            ArrayPool<float>.Shared.Return(Input);
            ArrayPool<float>.Shared.Return(Matrix);
            ArrayPool<int>.Shared.Return(Offsets);
        }
    }
}
