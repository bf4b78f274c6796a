using System.Buffers;
using System.Numerics.Tensors;
using MlPipelines.Engine.Compute;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// 2-D convolution (cross-correlation, as every framework computes it) over NCHW tensors by im2col and GEMM;
/// pointwise convolutions skip the unfolding. Images of a batch are split over threads in fixed chunks; with fewer images
/// than threads (batch-1 inference) a layer's output rows are (<see cref="SplitsRows"/>), or each product is. Small feature
/// maps (14x14, 7x7) give one image too few GEMM columns to fill the micro-kernel's tiles, so several images of a chunk
/// share one unfolded matrix (<see cref="ImagesPerGemm"/>). Weight gradients are summed per chunk and the chunk sums
/// added in chunk order, so a thread count reproduces its bits.
/// </summary>
internal static unsafe class Conv2d
{
    /// <summary>About this many GEMM columns (output pixels) per multiplication: one 28x28 map, four 14x14, sixteen 7x7.</summary>
    private const int TargetColumns = 784;

    /// <summary>y = conv(x, w) + bias.</summary>
    /// <param name="x">// [N, Cin, H, W]</param>
    /// <param name="w">// [Cout, Cin / groups, KH, KW]</param>
    /// <param name="bias">// [Cout], or empty for none</param>
    /// <param name="g">Geometry.</param>
    /// <param name="y">// [N, Cout, OH, OW], overwritten</param>
    /// <param name="threads">Degree of parallelism.</param>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, in Conv2dGeometry g, Span<float> y, int threads = 1) =>
        Forward(x, w, bias, g, y, default, threads);

    /// <summary>
    /// y = epilogue(conv(x, w) + bias): each output plane goes through <paramref name="epilogue"/> while in cache. With
    /// <paramref name="packedW"/> (<see cref="PackWeights"/> of this very w, for a geometry where
    /// <see cref="ReadsPackedWeights"/>) the multiplications read it instead of packing w again: same bits, less work.
    /// </summary>
    /// <remarks>
    /// With <paramref name="inputScale"/> ([N, Cin]; 1x1 stride-1 kernels without groups) x's channels are multiplied by
    /// their image's scales as the products read them, with the bits of scaling x first.
    /// </remarks>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, in Conv2dGeometry g, Span<float> y, in ConvEpilogue epilogue, int threads,
        ReadOnlySpan<float> packedW = default, ReadOnlySpan<float> inputScale = default)
    {
        Check(x.Length, g.InputLength, "x");
        Check(w.Length, g.WeightLength, "w");
        Check(y.Length, g.OutputLength, "y");
        if (bias.Length != 0) Check(bias.Length, g.OutChannels, "bias");
        if (packedW.Length != 0) Check(packedW.Length, PackedWeightLength(g), "packedW");
        if (inputScale.Length != 0)
        {
            if (!g.IsPointwise || g.Groups != 1) throw new ArgumentException("An input scale needs a 1x1 stride-1 convolution without groups.", nameof(inputScale));
            Check(inputScale.Length, g.Batch * g.InChannels, "inputScale");
        }
        fixed (float* px = x, pw = w, pb = bias, py = y, ppw = packedW, pscale = inputScale)
        {
            if (inputScale.IsEmpty && DepthwiseConv.Applies(g))
            {
                DepthwiseConv.Forward(px, pw, bias.Length == 0 ? null : pb, g, py, epilogue, threads);
                return;
            }
            if (WinogradConv.Pays(g))
            {
                WinogradConv.Forward(px, pw, bias.Length == 0 ? null : pb, g, py, epilogue, threads);
                return;
            }
            bool shifted = ShiftedConv.Pays(g, g.GroupOutChannels);
            if (g.Batch < threads && inputScale.IsEmpty && SplitsRows(g, threads))
            {
                // Fewer images than threads (batch-1 inference) on a map of many pixels for its channels (SplitsRows): each
                // thread computes a band of output rows of every image.
                var bands = new ForwardBody
                {
                    X = px, W = pw, PackedW = shifted ? null : ppw, Bias = pb, BiasLength = bias.Length, Y = py, G = g,
                    Epilogue = epilogue, GemmThreads = 1, Shifted = shifted, Bands = true,
                };
                DeterministicParallel.ForChunks(g.OutHeight, threads, threads, bands);
                return;
            }
            // Fewer images than threads: one image at a time, each multiplication split over the threads.
            int inner = g.Batch < threads ? threads : 1;
            var plan = new BatchPlan(g, shifted ? ShiftedConv.ImagesPerGemm(g) : ForwardImagesPerGemm(g), inner > 1 ? 1 : threads);
            var body = new ForwardBody
            {
                X = px, W = pw, PackedW = shifted ? null : ppw, InputScale = inputScale.IsEmpty ? null : pscale, Bias = pb, BiasLength = bias.Length, Y = py, G = g,
                Epilogue = epilogue, GemmThreads = inner, Shifted = shifted, Plan = plan,
            };
            plan.Run(body);
        }
    }

    /// <summary>
    /// Whether a layer with fewer images than threads (batch-1 inference) splits its output rows over the threads rather
    /// than each multiplication: where the map has more than twice as many pixels as the layer has output channels (a
    /// group's), and at least two rows a thread. Each thread then unfolds (or puts on its grid) only the input rows its
    /// band reads, most of them written by the same thread in the layer before, and applies the epilogue to its own rows:
    /// nothing runs on one thread alone and little crosses between cores. A product split by threads instead makes the
    /// caller unfold the whole input first and each thread read all of it. ResNet-20's 16-channel 28x28 layers at batch 1
    /// took 28 us on two threads as a split product (27 on one), 18 us in bands; the whole network 0.61 -> 0.52 ms with
    /// bands from 8 pixels a channel, 0.50 from 2 (the 32-channel 14x14 layers too). Where the weights are the larger
    /// operand (ResNet-18's later stages) each thread reading all of them costs more: those keep splitting the product,
    /// by rows of weights. A layer too small for a product to be split (ResNet-20's 1x1 stride-2 shortcuts: 3 us) stays
    /// on one thread.
    /// </summary>
    internal static bool SplitsRows(in Conv2dGeometry g, int threads) =>
        g.OutHeight >= 2 * threads && 2L * g.GroupOutChannels < (long)g.OutHeight * g.OutWidth
        && (long)g.Batch * g.OutChannels * g.OutHeight * g.OutWidth * g.PatchSize >= Gemm.SplitWork;

    /// <summary>
    /// Whether the forward pass multiplies by the weights as they are (the unfolded and pointwise routes), so that a
    /// caller who keeps <see cref="PackWeights"/>'s panels spares it packing them: every call at batch 1, and every few
    /// images at larger batches, packs each group's [out, patch] matrix again, which on a ResNet's last stage at batch 1
    /// (megabytes of weights times four columns) costs as much as the multiplication.
    /// </summary>
    public static bool ReadsPackedWeights(in Conv2dGeometry g) =>
        !DepthwiseConv.Applies(g) && !WinogradConv.Pays(g) && !ShiftedConv.Pays(g, g.GroupOutChannels);

    /// <summary>Floats of <see cref="PackWeights"/>'s panels: each group's [out / groups, patch] matrix packed as a GEMM's A.</summary>
    public static int PackedWeightLength(in Conv2dGeometry g) => g.Groups * Gemm.PackedALength(g.GroupOutChannels, g.PatchSize);

    /// <summary>Packs each group's weights [out / groups, patch] into the panels every multiplication of the group reads.</summary>
    public static void PackWeights(ReadOnlySpan<float> w, in Conv2dGeometry g, Span<float> packed)
    {
        Check(w.Length, g.WeightLength, "w");
        Check(packed.Length, PackedWeightLength(g), "packed");
        int og = g.GroupOutChannels, patch = g.PatchSize, groupLength = Gemm.PackedALength(og, patch);
        for (int grp = 0; grp < g.Groups; grp++)
            Gemm.PackA(w.Slice(grp * og * patch, og * patch), og, patch, patch, packed.Slice(grp * groupLength, groupLength));
    }

    /// <summary>dX += conv^T(dY, w) (or = when not <paramref name="accumulate"/>): the gradient with respect to the input.</summary>
    /// <param name="dY">// [N, Cout, OH, OW]</param>
    /// <param name="w">// [Cout, Cin / groups, KH, KW]</param>
    /// <param name="g">Geometry.</param>
    /// <param name="dX">// [N, Cin, H, W], accumulated into or overwritten</param>
    /// <param name="threads">Degree of parallelism.</param>
    /// <param name="accumulate">Add to dX (true) or overwrite it.</param>
    public static void BackwardData(ReadOnlySpan<float> dY, ReadOnlySpan<float> w, in Conv2dGeometry g, Span<float> dX, int threads = 1, bool accumulate = true)
    {
        Check(dY.Length, g.OutputLength, "dY");
        Check(w.Length, g.WeightLength, "w");
        Check(dX.Length, g.InputLength, "dX");
        if (WinogradConv.Pays(g))
        {
            fixed (float* pdy = dY, pw = w, pdx = dX)
                WinogradConv.BackwardData(pdy, pw, g, pdx, accumulate, threads);
            return;
        }
        // The flipped convolution has the input's channels as GEMM rows: with fewer than a micro-tile's rows (an RGB or grey
        // stem, depthwise) the unfolded route's GEMM, whose rows are the patch elements, wastes less; on small maps with many
        // input channels the grid's junk positions cost more than unfolding (folding back) does.
        bool shifted = ShiftedConv.Pays(g, g.GroupInChannels) && g.GroupInChannels >= Gemm.MR;
        float[]? flipped = shifted ? ArrayPool<float>.Shared.Rent(g.WeightLength) : null;
        try
        {
            if (flipped is not null) ShiftedConv.FlipTranspose(w, g, flipped);
            fixed (float* pdy = dY, pw = w, pdx = dX, pf = flipped)
            {
                var plan = new BatchPlan(g, shifted ? ShiftedConv.ImagesPerGemm(g) : ImagesPerGemm(g), threads);
                var body = new BackwardDataBody { DY = pdy, W = pw, DX = pdx, G = g, FlippedW = shifted ? pf : null, Accumulate = accumulate, Plan = plan };
                plan.Run(body);
            }
        }
        finally
        {
            if (flipped is not null) ArrayPool<float>.Shared.Return(flipped);
        }
    }

    /// <summary>dW += dY (x) unfolded x (dot products of rows, <see cref="RowDot"/>), dB += sum of dY over N, OH, OW.</summary>
    /// <param name="x">// [N, Cin, H, W]</param>
    /// <param name="dY">// [N, Cout, OH, OW]</param>
    /// <param name="g">Geometry.</param>
    /// <param name="dW">// [Cout, Cin / groups, KH, KW], accumulated into</param>
    /// <param name="dB">// [Cout], accumulated into, or empty</param>
    /// <param name="threads">Degree of parallelism.</param>
    public static void BackwardWeights(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, in Conv2dGeometry g, Span<float> dW, Span<float> dB, int threads = 1)
    {
        Check(x.Length, g.InputLength, "x");
        Check(dY.Length, g.OutputLength, "dY");
        Check(dW.Length, g.WeightLength, "dW");
        if (dB.Length != 0) Check(dB.Length, g.OutChannels, "dB");
        var plan = new BatchPlan(g, ShiftedConv.Applies(g) ? ShiftedConv.ImagesPerGemm(g) : ImagesPerGemm(g), threads);
        int chunks = plan.Chunks;
        if (chunks <= 1)
        {
            WeightGradientImages(x, dY, g, dW, dB, 0, g.Batch);
            return;
        }
        int wl = g.WeightLength, bl = dB.Length, stride = wl + bl;
        float[] partial = ArrayPool<float>.Shared.Rent(chunks * stride);
        try
        {
            fixed (float* px = x, pdy = dY, pp = partial, pdw = dW)
            {
                // One work item per chunk, each summing its own images into its own slice of the partial sums; then the
                // slices are added into dW in chunk order, element ranges split over the threads.
                var body = new BackwardWeightsBody { X = px, DY = pdy, Partial = pp, BiasLength = bl, G = g, Plan = plan };
                DeterministicParallel.ForChunks(chunks, chunks, threads, body);
                var sum = new SumPartialsBody { Partial = pp, Stride = stride, Chunks = chunks, Sum = pdw, Length = wl };
                DeterministicParallel.For((wl + SumPartialsBody.Block - 1) / SumPartialsBody.Block, threads, 4, sum);
            }
            for (int c = 0; c < chunks && bl != 0; c++) TensorPrimitives.Add(dB, partial.AsSpan(c * stride + wl, bl), dB);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partial);
        }
    }

    /// <summary>About this many floats of unfolded matrix at a time (512 KiB: a quarter of a core's L2 here).</summary>
    private const int BandFloats = 1 << 17;

    /// <summary>
    /// Output rows per band of an image's unfolded matrix: all of them unless the whole matrix exceeds
    /// <see cref="BandFloats"/> and the product reads it in place (at most <see cref="Gemm.InPlaceRowTableRows"/> output
    /// channels: a stem). A product that packs B blocks it anyway, and each band would pack A again: ResNet-50's 128-channel
    /// 3x3 stride-2 layer ran 1.2x slower in 112-column bands.
    /// </summary>
    private static int BandRows(in Conv2dGeometry g)
    {
        long perRow = (long)g.PatchSize * g.OutWidth;
        if (g.GroupOutChannels > Gemm.InPlaceRowTableRows || perRow * g.OutHeight <= BandFloats) return g.OutHeight;
        return (int)Math.Max(1, BandFloats / perRow);
    }

    /// <summary>How many images share one unfolded matrix: 1 for pointwise kernels and maps of <see cref="TargetColumns"/> or more pixels.</summary>
    internal static int ImagesPerGemm(in Conv2dGeometry g) => g.IsPointwise ? 1 : ImagesFilling(g.OutHeight * g.OutWidth);

    /// <summary>
    /// Images per multiplication in the forward pass: as <see cref="ImagesPerGemm"/>, and pointwise kernels on small maps
    /// too, their planes copied side by side (a 1x1 layer at 7x7 is otherwise a product of 49 columns, whose A is packed
    /// for every image; the gradients keep reading pointwise inputs in place).
    /// </summary>
    internal static int ForwardImagesPerGemm(in Conv2dGeometry g) => ImagesFilling(g.OutHeight * g.OutWidth);

    /// <summary>Images of <paramref name="plane"/> output pixels that make about <see cref="TargetColumns"/> GEMM columns (1 at that size or more).</summary>
    private static int ImagesFilling(int plane) => plane >= TargetColumns ? 1 : Math.Max(1, (TargetColumns + plane / 2) / plane);

    /// <summary>
    /// How a batch is split over threads: into units of the images that share one multiplication (so no chunk ends with a
    /// narrow one), dealt out in twice <see cref="DeterministicParallel.ChunksPerThread"/> chunks a thread so that a thread
    /// running ahead takes over a slower one's work (convolutions are most of a step: their tails are worth the most).
    /// </summary>
    private readonly struct BatchPlan
    {
        public BatchPlan(in Conv2dGeometry g, int imagesPerGemm, int threads)
        {
            Batch = g.Batch;
            ImagesPerUnit = Math.Max(1, Math.Min(g.Batch, imagesPerGemm));
            Units = (g.Batch + ImagesPerUnit - 1) / ImagesPerUnit;
            Threads = threads;
            // One thread: one chunk (the weight gradient then needs no partial sums to add up).
            Chunks = threads <= 1 ? 1 : DeterministicParallel.ChunkCount(Units, 2 * threads, 1);
        }

        public int Batch { get; }

        public int ImagesPerUnit { get; }

        public int Units { get; }

        public int Threads { get; }

        public int Chunks { get; }

        /// <summary>The images of units [u0, u1).</summary>
        public (int N0, int N1) Images(int u0, int u1) => (u0 * ImagesPerUnit, Math.Min(u1 * ImagesPerUnit, Batch));

        /// <summary>The images of chunk <paramref name="chunk"/>.</summary>
        public (int N0, int N1) ChunkImages(int chunk)
        {
            (int u0, int u1) = DeterministicParallel.ChunkRange(Units, Chunks, chunk);
            return Images(u0, u1);
        }

        /// <summary>Runs <paramref name="body"/> over the units, one call a chunk.</summary>
        public void Run<TBody>(in TBody body) where TBody : unmanaged, IChunkBody => DeterministicParallel.ForChunks(Units, Chunks, Threads, body);
    }

    private struct ForwardBody : IChunkBody
    {
        /// <summary>
        /// PackedW: <see cref="PackWeights"/>'s panels of W, or null to pack W in each multiplication; InputScale: [N, Cin]
        /// scales of x's channels (pointwise only), or null.
        /// </summary>
        public float* X, W, PackedW, InputScale, Bias, Y;
        public int BiasLength;
        public Conv2dGeometry G;
        public ConvEpilogue Epilogue;
        public int GemmThreads;
        public bool Shifted;
        public BatchPlan Plan;

        /// <summary>Run's range is one band of output rows of every image rather than a range of the plan's units.</summary>
        public bool Bands;

        public readonly void Run(int u0, int u1)
        {
            if (Bands)
            {
                for (int n = 0; n < G.Batch; n++)
                    if (Shifted) ShiftedConv.Run(X, W, BiasLength == 0 ? null : Bias, G.GroupInChannels, G.GroupOutChannels, G, Y, accumulate: false, n, n + 1, Epilogue, 1, u0, u1);
                    else ForwardImages(new(X, G.InputLength), new(W, G.WeightLength), new(PackedW, PackedW is null ? 0 : PackedWeightLength(G)), new(Bias, BiasLength), G,
                        new(Y, G.OutputLength), n, n + 1, Epilogue, 1, default, u0, u1);
                return;
            }
            (int n0, int n1) = Plan.Images(u0, u1);
            if (Shifted)
                ShiftedConv.Run(X, W, BiasLength == 0 ? null : Bias, G.GroupInChannels, G.GroupOutChannels, G, Y, accumulate: false, n0, n1, Epilogue, GemmThreads);
            else
                ForwardImages(new(X, G.InputLength), new(W, G.WeightLength), new(PackedW, PackedW is null ? 0 : PackedWeightLength(G)), new(Bias, BiasLength), G,
                    new(Y, G.OutputLength), n0, n1, Epilogue, GemmThreads, new(InputScale, InputScale is null ? 0 : G.Batch * G.InChannels));
        }
    }

    private struct BackwardDataBody : IChunkBody
    {
        public float* DY, W, DX;
        public Conv2dGeometry G;

        /// <summary>For "same" convolutions: W flipped and transposed (<see cref="ShiftedConv.FlipTranspose"/>), else null.</summary>
        public float* FlippedW;

        public bool Accumulate;
        public BatchPlan Plan;

        public readonly void Run(int u0, int u1)
        {
            (int n0, int n1) = Plan.Images(u0, u1);
            if (FlippedW is not null)
            {
                ShiftedConv.Run(DY, FlippedW, null, G.GroupOutChannels, G.GroupInChannels, G, DX, Accumulate, n0, n1);
                return;
            }
            // The unfolded route folds its columns back by adding: start this chunk's images from zero.
            int image = G.InChannels * G.InHeight * G.InWidth;
            if (!Accumulate) new Span<float>(DX + (long)n0 * image, (n1 - n0) * image).Clear();
            BackwardDataImages(new(DY, G.OutputLength), new(W, G.WeightLength), G, new(DX, G.InputLength), n0, n1);
        }
    }

    private struct BackwardWeightsBody : IChunkBody
    {
        public float* X, DY, Partial;
        public int BiasLength;
        public Conv2dGeometry G;
        public BatchPlan Plan;

        public readonly void Run(int c0, int c1)
        {
            int wl = G.WeightLength;
            for (int c = c0; c < c1; c++)
            {
                (int n0, int n1) = Plan.ChunkImages(c);
                float* part = Partial + (long)c * (wl + BiasLength);
                new Span<float>(part, wl + BiasLength).Clear();
                WeightGradientImages(new(X, G.InputLength), new(DY, G.OutputLength), G, new(part, wl), new(part + wl, BiasLength), n0, n1);
            }
        }
    }

    /// <summary>
    /// Sum[i] += Partial[0][i] + Partial[1][i] + ... in chunk order for i in [0, Length), in blocks of i: the same bits as
    /// one thread adding slice after slice.
    /// </summary>
    private struct SumPartialsBody : IChunkBody
    {
        public const int Block = 4096;

        public float* Partial, Sum;
        public int Stride, Chunks, Length;

        public readonly void Run(int b0, int b1)
        {
            int start = b0 * Block, length = Math.Min(b1 * Block, Length) - start;
            var sum = new Span<float>(Sum + start, length);
            for (int c = 0; c < Chunks; c++) TensorPrimitives.Add(sum, new ReadOnlySpan<float>(Partial + (long)c * Stride + start, length), sum);
        }
    }

    /// <remarks>
    /// With <paramref name="rowEnd"/> >= 0, only output rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of
    /// each image, one image at a time: a thread's share of a batch-1 layer split by rows.
    /// </remarks>
    private static void ForwardImages(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> packedW, ReadOnlySpan<float> bias, in Conv2dGeometry g, Span<float> y,
        int n0, int n1, in ConvEpilogue epilogue, int gemmThreads, ReadOnlySpan<float> inputScale = default, int rowStart = 0, int rowEnd = -1)
    {
        bool band = rowEnd >= 0;
        if (!band) rowEnd = g.OutHeight;
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, groupIn = g.GroupInChannels * inPlane;
        int og = g.GroupOutChannels, patch = g.PatchSize, nb = band ? 1 : ForwardImagesPerGemm(g), packedLength = Gemm.PackedALength(og, patch);
        int firstColumn = rowStart * g.OutWidth, lastColumn = rowEnd * g.OutWidth;
        bool scaled = !inputScale.IsEmpty;
        float[]? col = g.IsPointwise && nb == 1 && !scaled ? null : ArrayPool<float>.Shared.Rent(patch * outPlane * nb);
        float[]? tmp = nb > 1 ? ArrayPool<float>.Shared.Rent(og * outPlane * nb) : null;
        int[]? bandRows = g.IsPointwise ? null : ArrayPool<int>.Shared.Rent(patch);
        try
        {
            for (int n = n0; n < n1; n += nb)
            {
                int images = Math.Min(nb, n1 - n), cols = images * outPlane;
                bool appliedInChunks = false;
                for (int grp = 0; grp < g.Groups; grp++)
                {
                    ReadOnlySpan<float> wg = w.Slice(grp * og * patch, og * patch);
                    ReadOnlySpan<float> pg = packedW.IsEmpty ? default : packedW.Slice(grp * packedLength, packedLength);
                    if (images == 1)
                    {
                        // One image: unfold (unless pointwise) and write the product straight into y.
                        ReadOnlySpan<float> xg = x.Slice(n * g.InChannels * inPlane + grp * groupIn, groupIn);
                        int yg = (n * g.OutChannels + grp * og) * outPlane;
                        if (g.IsPointwise)
                        {
                            if (scaled)
                            {
                                // The image's channels times their scales, into a copy that stays in cache for the product.
                                for (int c = 0; c < patch; c++)
                                    TensorPrimitives.Multiply(xg.Slice(c * inPlane, inPlane), inputScale[n * g.InChannels + c], col.AsSpan(c * inPlane, inPlane));
                                xg = col.AsSpan(0, patch * inPlane);
                            }
                            Span<float> yOut = y.Slice(yg, og * outPlane);
                            int chunk = EpilogueChunk(og, outPlane, gemmThreads, bias.Length != 0 || !epilogue.IsNone), lastRow = (og - 1) * outPlane;
                            for (int c0 = firstColumn; c0 < lastColumn; c0 += chunk)
                            {
                                int width = Math.Min(chunk, lastColumn - c0);
                                ReadOnlySpan<float> xc = xg.Slice(c0, (patch - 1) * outPlane + width);
                                Span<float> yc = yOut.Slice(c0, lastRow + width);
                                if (pg.IsEmpty) Gemm.Sgemm(false, false, og, width, patch, 1, wg, patch, xc, outPlane, 0, yc, outPlane, gemmThreads);
                                else Gemm.SgemmPackedA(og, width, patch, pg, xc, outPlane, yc, outPlane, gemmThreads);
                                if (chunk == outPlane) continue;
                                // The chunk's columns of every output plane, while they are in cache.
                                for (int o = 0; o < og; o++)
                                {
                                    int channel = grp * og + o;
                                    Span<float> part = yc.Slice(o * outPlane, width);
                                    if (bias.Length != 0) epilogue.ApplyWithBias(part, part, channel, bias[channel]);
                                    else epilogue.Apply(part, channel);
                                }
                            }
                            if (chunk < outPlane) appliedInChunks = true;
                            continue;
                        }
                        // As a row table, a product of at most 64 rows reads the unfolded matrix in place instead of packing
                        // it; a large map's (a 224x224 stem's is 7 MB) a band of output rows at a time, read from cache
                        // rather than written to memory and read back. Each output sums the same products in the same order
                        // either way.
                        for (int oy0 = rowStart, rows = BandRows(g); oy0 < rowEnd; oy0 += rows)
                        {
                            int oy1 = Math.Min(rowEnd, oy0 + rows), bandCols = (oy1 - oy0) * g.OutWidth;
                            Im2Col.UnfoldRows(xg, g, col, bandCols, oy0, oy1);
                            for (int p = 0; p < patch; p++) bandRows![p] = p * bandCols;
                            ReadOnlySpan<float> unfolded = col.AsSpan(0, patch * bandCols);
                            Span<float> yBand = y.Slice(yg + oy0 * g.OutWidth, (og - 1) * outPlane + bandCols);
                            if (pg.IsEmpty) Gemm.SgemmRowTable(og, bandCols, patch, 1, wg, patch, unfolded, bandRows.AsSpan(0, patch), 0, yBand, outPlane, gemmThreads);
                            else Gemm.SgemmRowTablePackedA(og, bandCols, patch, pg, unfolded, bandRows.AsSpan(0, patch), yBand, outPlane, gemmThreads);
                        }
                        continue;
                    }
                    // Several images: unfold them side by side (pointwise: their planes), multiply once, then scatter each
                    // image's columns to its planes.
                    for (int i = 0; i < images; i++)
                    {
                        ReadOnlySpan<float> xi = x.Slice((n + i) * g.InChannels * inPlane + grp * groupIn, groupIn);
                        if (!g.IsPointwise) Im2Col.Unfold(xi, g, col.AsSpan(i * outPlane), cols);
                        else if (scaled)
                            for (int c = 0; c < patch; c++)
                                TensorPrimitives.Multiply(xi.Slice(c * inPlane, inPlane), inputScale[(n + i) * g.InChannels + c], col.AsSpan(c * cols + i * outPlane, outPlane));
                        else
                            for (int c = 0; c < patch; c++) xi.Slice(c * inPlane, inPlane).CopyTo(col.AsSpan(c * cols + i * outPlane, outPlane));
                    }
                    if (pg.IsEmpty) Gemm.Sgemm(false, false, og, cols, patch, 1, wg, patch, col, cols, 0, tmp, cols, gemmThreads);
                    else Gemm.SgemmPackedA(og, cols, patch, pg, col, cols, tmp, cols, gemmThreads);
                    for (int i = 0; i < images; i++)
                        for (int o = 0; o < og; o++)
                        {
                            ReadOnlySpan<float> from = tmp.AsSpan(o * cols + i * outPlane, outPlane);
                            Span<float> to = y.Slice(((n + i) * g.OutChannels + grp * og + o) * outPlane, outPlane);
                            // The bias and epilogue are the copy: one pass over the plane instead of three.
                            int channel = grp * og + o;
                            if (bias.Length != 0) epilogue.ApplyWithBias(from, to, channel, bias[channel]);
                            else if (!epilogue.IsNone) epilogue.Apply(from, to, channel);
                            else from.CopyTo(to);
                        }
                }
                bool applied = images > 1 || appliedInChunks;
                if ((bias.Length != 0 || !epilogue.IsNone) && !applied)
                    for (int i = 0; i < images; i++)
                        for (int o = 0; o < g.OutChannels; o++)
                        {
                            Span<float> plane = y.Slice(((n + i) * g.OutChannels + o) * outPlane + firstColumn, lastColumn - firstColumn);
                            if (bias.Length != 0) epilogue.ApplyWithBias(plane, plane, o, bias[o]);
                            else epilogue.Apply(plane, o);
                        }
            }
        }
        finally
        {
            if (col is not null) ArrayPool<float>.Shared.Return(col);
            if (tmp is not null) ArrayPool<float>.Shared.Return(tmp);
            if (bandRows is not null) ArrayPool<int>.Shared.Return(bandRows);
        }
    }

    /// <summary>Bytes of a pointwise product's output that an epilogue pass still finds in the core's cache (a share of a 2 MiB L2).</summary>
    private const int EpilogueChunkBytes = 512 * 1024;

    /// <summary>
    /// Columns of one image's pointwise product to multiply before the epilogue runs over them: all of them, unless the
    /// output (rows x columns) is more than twice <see cref="EpilogueChunkBytes"/> and the product runs on one thread.
    /// Then whole panels of columns that fit in it, so the epilogue reads them from cache: MobileNetV2's 96-channel
    /// expansion of a 112x112 map writes 4.8 MB, which a pass after the whole product read back from memory
    /// (`mobilenet-v2_224 infer` 0.945x on one thread; chunks of 256 KB and 1 MB were slower). A product split over
    /// threads keeps its columns whole: each thread's share is what would have to fit.
    /// </summary>
    internal static int EpilogueChunk(int rows, int columns, int gemmThreads, bool hasEpilogue)
    {
        if (!hasEpilogue || gemmThreads > 1 || (long)rows * columns * sizeof(float) <= 2 * EpilogueChunkBytes) return columns;
        return Math.Max(Gemm.NR, EpilogueChunkBytes / (rows * sizeof(float)) / Gemm.NR * Gemm.NR);
    }

    private static void BackwardDataImages(ReadOnlySpan<float> dY, ReadOnlySpan<float> w, in Conv2dGeometry g, Span<float> dX, int n0, int n1)
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, groupIn = g.GroupInChannels * inPlane;
        int og = g.GroupOutChannels, patch = g.PatchSize, nb = ImagesPerGemm(g);
        float[]? dcol = g.IsPointwise ? null : ArrayPool<float>.Shared.Rent(patch * outPlane * nb);
        float[]? dyT = nb > 1 ? ArrayPool<float>.Shared.Rent(og * outPlane * nb) : null;
        try
        {
            for (int n = n0; n < n1; n += nb)
            {
                int images = Math.Min(nb, n1 - n), cols = images * outPlane;
                for (int grp = 0; grp < g.Groups; grp++)
                {
                    ReadOnlySpan<float> wg = w.Slice(grp * og * patch, og * patch);
                    ReadOnlySpan<float> a;
                    if (images == 1)
                    {
                        a = dY.Slice((n * g.OutChannels + grp * og) * outPlane, og * outPlane);
                        if (dcol is null)
                        {
                            Gemm.Sgemm(true, false, patch, outPlane, og, 1, wg, patch, a, outPlane, 1, dX.Slice(n * g.InChannels * inPlane + grp * groupIn, groupIn), outPlane);
                            continue;
                        }
                    }
                    else
                    {
                        // Gather the images' output-gradient planes side by side: dyT[o, i * OH * OW + j].
                        for (int i = 0; i < images; i++)
                            for (int o = 0; o < og; o++)
                                dY.Slice(((n + i) * g.OutChannels + grp * og + o) * outPlane, outPlane).CopyTo(dyT.AsSpan(o * cols + i * outPlane, outPlane));
                        a = dyT.AsSpan(0, og * cols);
                    }
                    Gemm.Sgemm(true, false, patch, cols, og, 1, wg, patch, a, cols, 0, dcol, cols);
                    for (int i = 0; i < images; i++)
                        Im2Col.FoldAdd(dcol.AsSpan(i * outPlane), g, dX.Slice((n + i) * g.InChannels * inPlane + grp * groupIn, groupIn), cols);
                }
            }
        }
        finally
        {
            if (dcol is not null) ArrayPool<float>.Shared.Return(dcol);
            if (dyT is not null) ArrayPool<float>.Shared.Return(dyT);
        }
    }

    /// <summary>dW and dB of images [n0, n1) by whichever method the geometry allows.</summary>
    private static void WeightGradientImages(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, in Conv2dGeometry g, Span<float> dW, Span<float> dB, int n0, int n1)
    {
        if (!ShiftedConv.Applies(g))
        {
            BackwardWeightsImages(x, dY, g, dW, dB, n0, n1);
            return;
        }
        fixed (float* px = x, pdy = dY, pdw = dW, pdb = dB)
            ShiftedConv.BackwardWeights(px, pdy, g, pdw, dB.Length == 0 ? null : pdb, n0, n1);
    }

    private static void BackwardWeightsImages(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, in Conv2dGeometry g, Span<float> dW, Span<float> dB, int n0, int n1)
    {
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, groupIn = g.GroupInChannels * inPlane;
        int og = g.GroupOutChannels, patch = g.PatchSize, nb = ImagesPerGemm(g);
        float[]? col = g.IsPointwise ? null : ArrayPool<float>.Shared.Rent(patch * outPlane * nb);
        float[]? dyT = nb > 1 ? ArrayPool<float>.Shared.Rent(og * outPlane * nb) : null;
        try
        {
            for (int n = n0; n < n1; n += nb)
            {
                int images = Math.Min(nb, n1 - n), cols = images * outPlane;
                for (int grp = 0; grp < g.Groups; grp++)
                {
                    ReadOnlySpan<float> a, b;
                    if (images == 1)
                    {
                        ReadOnlySpan<float> xg = x.Slice(n * g.InChannels * inPlane + grp * groupIn, groupIn);
                        b = xg;
                        if (col is not null)
                        {
                            Im2Col.Unfold(xg, g, col, outPlane);
                            b = col.AsSpan(0, patch * outPlane);
                        }
                        a = dY.Slice((n * g.OutChannels + grp * og) * outPlane, og * outPlane);
                    }
                    else
                    {
                        for (int i = 0; i < images; i++)
                        {
                            Im2Col.Unfold(x.Slice((n + i) * g.InChannels * inPlane + grp * groupIn, groupIn), g, col.AsSpan(i * outPlane), cols);
                            for (int o = 0; o < og; o++)
                                dY.Slice(((n + i) * g.OutChannels + grp * og + o) * outPlane, outPlane).CopyTo(dyT.AsSpan(o * cols + i * outPlane, outPlane));
                        }
                        a = dyT.AsSpan(0, og * cols);
                        b = col.AsSpan(0, patch * cols);
                    }
                    RowDot.Accumulate(a, cols, b, cols, og, patch, cols, dW.Slice(grp * og * patch, og * patch), patch);
                }
                if (dB.Length != 0)
                    for (int i = 0; i < images; i++)
                        for (int o = 0; o < g.OutChannels; o++)
                            dB[o] += TensorPrimitives.Sum(dY.Slice(((n + i) * g.OutChannels + o) * outPlane, outPlane));
            }
        }
        finally
        {
            if (col is not null) ArrayPool<float>.Shared.Return(col);
            if (dyT is not null) ArrayPool<float>.Shared.Return(dyT);
        }
    }

    private static void Check(int actual, int expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} holds {actual} elements; the geometry needs {expected}.", name);
    }
}
