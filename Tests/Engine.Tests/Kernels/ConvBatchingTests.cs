using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Operators;
using MlPipelines.Engine.Kernels.Reference;
using static MlPipelines.Engine.Tests.Kernels.KernelTestData;

namespace MlPipelines.Engine.Tests.Kernels;

/// <summary>
/// The convolution kernel puts several images into one GEMM when their maps are small (7x7, 14x14): side by side in one
/// unfolded matrix, or on one zero-bordered grid for stride-1 "same" convolutions (<see cref="ShiftedConv"/>). These
/// shapes put ragged image groups at the end of every thread's chunk, and check the result against the double reference.
/// </summary>
[TestClass]
[TestCategory("Kernels")]
public sealed class ConvBatchingTests
{
    /// <summary>(geometry, threads): 7x7 maps group 16 images, 14x14 four, 9x9 ten; 28x28 stays one image per GEMM.</summary>
    private static IEnumerable<(Conv2dGeometry G, int Threads)> Cases()
    {
        yield return (new(37, 5, 7, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1), 1);           // ResNet-20 stage 3 shape, 2 groups of 16 + 5
        yield return (new(37, 5, 7, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1), 3);           // chunks of 12-13 images: one ragged group each
        yield return (new(9, 3, 14, 14, 4, 3, 3, 2, 2, 1, 1, 1, 1), 2);          // stride 2 to 7x7
        yield return (new(11, 4, 14, 14, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2), 2); // grouped, 14x14: groups of 4 images
        yield return (new(5, 2, 9, 9, 3, 3, 3, 1, 1, 0, 1, 2, 0, 2, 1, 1), 1);   // asymmetric padding + dilation, 7x9 output
        yield return (new(3, 2, 28, 28, 3, 3, 3, 1, 1, 1, 1, 1, 1), 2);          // one image per GEMM
        yield return (new(19, 3, 7, 7, 5, 1, 1, 2, 2), 2);                       // 1x1 stride 2 (unfolded, grouped)
        // Shifted-grid shapes with at least 8 input channels per group, so the input gradient takes the grid route too.
        yield return (new(29, 9, 7, 7, 10, 3, 3, 1, 1, 1, 1, 1, 1), 2);          // groups of 12 images, ragged in each chunk
        yield return (new(7, 8, 14, 14, 8, 3, 3, 1, 1, 1, 1, 1, 1), 1);          // groups of 3 images + 1
        yield return (new(13, 16, 7, 7, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2), 3); // two groups of 8 channels
        yield return (new(5, 8, 6, 9, 8, 1, 3, 1, 1, 0, 1, 0, 1), 2);           // 1x3 kernel: no vertical padding
        yield return (new(3, 8, 10, 11, 9, 5, 5, 1, 1, 2, 2, 2, 2), 1);          // 5x5 "same": two zero columns per row
        // Small maps with many channels: unfolded forward, grid input gradient (4x4), and the other way round (2x2).
        yield return (new(3, 24, 4, 4, 40, 3, 3, 1, 1, 1, 1, 1, 1), 2);
        yield return (new(5, 48, 2, 2, 16, 3, 3, 1, 1, 1, 1, 1, 1), 1);
        // Pointwise kernels on small maps: the forward pass copies 16 (7x7) or 4 (14x14) images' planes side by side.
        yield return (new(21, 6, 7, 7, 10, 1, 1), 2);
        yield return (new(9, 8, 14, 14, 12, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2), 3);     // grouped
        // 1x1 maps: a grid image is shorter than the weight gradient's vector padding.
        yield return (new(7, 8, 1, 1, 8, 3, 3, 1, 1, 1, 1, 1, 1), 2);
    }

    [TestMethod]
    public void OverwritingInputGradient_IgnoresWhatDxHeld_OnBothRoutes()
    {
        int seed = 50;
        foreach (var (g, threads) in Cases())
        {
            float[] w = Random(g.WeightLength, seed++), dy = Random(g.OutputLength, seed++);
            float[] added = new float[g.InputLength], written = Enumerable.Repeat(float.NaN, g.InputLength).ToArray();
            Conv2d.BackwardData(dy, w, g, added, threads);
            Conv2d.BackwardData(dy, w, g, written, threads, accumulate: false);
            CollectionAssert.AreEqual(added, written, $"{g} t{threads}: overwriting equals adding to zeros");
        }
    }

    [TestMethod]
    public void ShiftedGrid_TakesStrideOneSamePaddingOnly_AndGroupsSmallMaps()
    {
        Assert.IsTrue(ShiftedConv.Applies(new Conv2dGeometry(1, 4, 9, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1)), "3x3 pad 1");
        Assert.IsTrue(ShiftedConv.Applies(new Conv2dGeometry(1, 4, 9, 9, 4, 5, 5, 1, 1, 2, 2, 2, 2)), "5x5 pad 2");
        Assert.IsTrue(ShiftedConv.Applies(new Conv2dGeometry(1, 4, 9, 9, 4, 1, 3, 1, 1, 0, 1, 0, 1)), "1x3 pad (0, 1)");
        Assert.IsFalse(ShiftedConv.Applies(new Conv2dGeometry(1, 4, 9, 9, 4, 3, 3, 2, 2, 1, 1, 1, 1)), "stride 2");
        Assert.IsFalse(ShiftedConv.Applies(new Conv2dGeometry(1, 4, 9, 9, 4, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2)), "dilation 2");
        Assert.IsFalse(ShiftedConv.Applies(new Conv2dGeometry(1, 4, 9, 9, 4, 3, 3, 1, 1, 0, 0, 0, 0)), "valid padding");
        Assert.IsFalse(ShiftedConv.Applies(new Conv2dGeometry(1, 4, 9, 9, 4, 3, 3, 1, 1, 0, 1, 2, 1)), "asymmetric padding");
        Assert.IsFalse(ShiftedConv.Applies(new Conv2dGeometry(1, 4, 9, 9, 4, 1, 1)), "pointwise reads x in place");
        // The grid's junk positions against unfolding's copies: small maps with many channels are unfolded.
        Assert.IsTrue(ShiftedConv.Pays(new Conv2dGeometry(1, 64, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1), 64), "7x7, 64 channels (ResNet-20)");
        Assert.IsTrue(ShiftedConv.Pays(new Conv2dGeometry(1, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1), 64), "16x16, 64 channels");
        Assert.IsFalse(ShiftedConv.Pays(new Conv2dGeometry(1, 128, 8, 8, 128, 3, 3, 1, 1, 1, 1, 1, 1), 128), "8x8, 128 channels");
        Assert.IsFalse(ShiftedConv.Pays(new Conv2dGeometry(1, 24, 4, 4, 40, 3, 3, 1, 1, 1, 1, 1, 1), 40), "4x4, 40 channels");
        Assert.IsTrue(ShiftedConv.Pays(new Conv2dGeometry(1, 24, 4, 4, 40, 3, 3, 1, 1, 1, 1, 1, 1), 24), "4x4, 24 channels");
        Assert.IsFalse(ShiftedConv.Pays(new Conv2dGeometry(1, 8, 9, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1), 1), "never where the grid does not apply");
        // Grids of (H + 1) x (W + 1) positions per image for 3x3 kernels, about 784 positions per GEMM.
        Assert.AreEqual(1, ShiftedConv.ImagesPerGemm(new Conv2dGeometry(1, 1, 28, 28, 1, 3, 3, 1, 1, 1, 1, 1, 1)), "28x28 maps");
        Assert.AreEqual(3, ShiftedConv.ImagesPerGemm(new Conv2dGeometry(1, 1, 14, 14, 1, 3, 3, 1, 1, 1, 1, 1, 1)), "14x14 maps");
        Assert.AreEqual(12, ShiftedConv.ImagesPerGemm(new Conv2dGeometry(1, 1, 7, 7, 1, 3, 3, 1, 1, 1, 1, 1, 1)), "7x7 maps");
    }

    [TestMethod]
    public void GroupedImages_MatchReference_ForwardAndBothGradients()
    {
        Assert.AreEqual(16, Conv2d.ImagesPerGemm(new Conv2dGeometry(1, 1, 7, 7, 1, 3, 3, 1, 1, 1, 1, 1, 1)), "7x7 maps");
        Assert.AreEqual(1, Conv2d.ImagesPerGemm(new Conv2dGeometry(1, 1, 28, 28, 1, 3, 3, 1, 1, 1, 1, 1, 1)), "28x28 maps");
        Assert.AreEqual(1, Conv2d.ImagesPerGemm(new Conv2dGeometry(1, 4, 7, 7, 4, 1, 1)), "pointwise gradients read x in place");
        Assert.AreEqual(16, Conv2d.ForwardImagesPerGemm(new Conv2dGeometry(1, 4, 7, 7, 4, 1, 1)), "pointwise forward on 7x7 maps");
        Assert.AreEqual(1, Conv2d.ForwardImagesPerGemm(new Conv2dGeometry(1, 4, 28, 28, 4, 1, 1)), "pointwise forward on 28x28 maps");
        int seed = 0;
        foreach (var (g, threads) in Cases())
        {
            float[] x = Random(g.InputLength, seed++), w = Random(g.WeightLength, seed++), b = Random(g.OutChannels, seed++), dy = Random(g.OutputLength, seed++);
            var y = new float[g.OutputLength];
            Conv2d.Forward(x, w, b, g, y, threads);
            AssertClose(Conv2dReference.Forward(D(x), D(w), D(b), g), y, 1e-5, $"y {g} t{threads}");

            float[] dx = Enumerable.Repeat(0.5f, g.InputLength).ToArray();
            Conv2d.BackwardData(dy, w, g, dx, threads);
            AssertClose(Conv2dReference.BackwardData(D(dy), D(w), g).Select(v => v + 0.5).ToArray(), dx, 1e-5, $"dX {g} t{threads}");

            // dW and dB sit inside a guard band, as a parameter's gradient sits among others: nothing may be written outside.
            const int guard = 64;
            const float sentinel = 12345f;
            float[] dwBand = Enumerable.Repeat(sentinel, g.WeightLength + 2 * guard).ToArray();
            float[] dbBand = Enumerable.Repeat(sentinel, g.OutChannels + 2 * guard).ToArray();
            Span<float> dw = dwBand.AsSpan(guard, g.WeightLength), db = dbBand.AsSpan(guard, g.OutChannels);
            dw.Fill(0.25f);
            db.Fill(-1f);
            Conv2d.BackwardWeights(x, dy, g, dw, db, threads);
            var (rdw, rdb) = Conv2dReference.BackwardWeights(D(x), D(dy), g);
            AssertClose(rdw.Select(v => v + 0.25).ToArray(), dw.ToArray(), 1e-5, $"dW {g} t{threads}");
            AssertClose(rdb.Select(v => v - 1).ToArray(), db.ToArray(), 1e-5, $"dB {g} t{threads}");
            Assert.IsTrue(dwBand.AsSpan(0, guard).ToArray().Concat(dwBand.AsSpan(guard + g.WeightLength).ToArray()).All(v => v == sentinel), $"dW guard {g} t{threads}");
            Assert.IsTrue(dbBand.AsSpan(0, guard).ToArray().Concat(dbBand.AsSpan(guard + g.OutChannels).ToArray()).All(v => v == sentinel), $"dB guard {g} t{threads}");
        }
    }

    [TestMethod]
    public void EmptyBatch_IsANoOp_OnEveryRoute()
    {
        foreach (var shape in new[] { new Conv2dGeometry(0, 8, 7, 7, 8, 3, 3, 1, 1, 1, 1, 1, 1), new Conv2dGeometry(0, 4, 14, 14, 8, 3, 3, 2, 2, 1, 1, 1, 1) })
            foreach (int threads in new[] { 1, 2 })
            {
                float[] w = Random(shape.WeightLength, 1), dw = new float[shape.WeightLength], db = new float[shape.OutChannels];
                Conv2d.Forward([], w, [], shape, [], threads);
                Conv2d.BackwardData([], w, shape, [], threads);
                Conv2d.BackwardWeights([], [], shape, dw, db, threads);
                Assert.IsTrue(dw.All(v => v == 0) && db.All(v => v == 0), $"{shape} t{threads}: an empty batch has zero gradients");
            }
    }

    [TestMethod]
    public void GroupedImages_ForwardAndInputGradient_DoNotDependOnThreads()
    {
        // Grouping changes which columns share a GEMM, never the order of a sum, so these are bit-identical across thread counts.
        var g = new Conv2dGeometry(37, 8, 7, 7, 16, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] x = Random(g.InputLength, 1), w = Random(g.WeightLength, 2), dy = Random(g.OutputLength, 3);
        float[] y1 = new float[g.OutputLength], dx1 = new float[g.InputLength];
        Conv2d.Forward(x, w, [], g, y1, 1);
        Conv2d.BackwardData(dy, w, g, dx1, 1);
        foreach (int threads in new[] { 2, 3 })
        {
            float[] y = new float[g.OutputLength], dx = new float[g.InputLength];
            Conv2d.Forward(x, w, [], g, y, threads);
            Conv2d.BackwardData(dy, w, g, dx, threads);
            CollectionAssert.AreEqual(y1, y, $"forward, {threads} threads");
            CollectionAssert.AreEqual(dx1, dx, $"input gradient, {threads} threads");
            float[] dwA = new float[g.WeightLength], dwB = new float[g.WeightLength];
            Conv2d.BackwardWeights(x, dy, g, dwA, [], threads);
            Conv2d.BackwardWeights(x, dy, g, dwB, [], threads);
            CollectionAssert.AreEqual(dwA, dwB, $"weight gradient repeated, {threads} threads");
        }
    }
    [TestMethod]
    public unsafe void BatchOfOne_SplitOverThreads_GivesTheSameBitsAsOneThread()
    {
        // Fewer images than threads (batch-1 inference): a grid layer's multiplication is split over the threads. Output
        // channels not a multiple of the GEMM's panels, a bias and a fused batch norm + ReLU; against one thread bit for
        // bit and against the double reference.
        foreach (var g in new[] { new Conv2dGeometry(1, 16, 28, 28, 36, 3, 3, 1, 1, 1, 1, 1, 1), new Conv2dGeometry(1, 64, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1) })
        {
            Assert.IsTrue(ShiftedConv.Pays(g, g.OutChannels), $"{g} takes the grid route");
            float[] x = Random(g.InputLength, 1), w = Random(g.WeightLength, 2), b = Random(g.OutChannels, 3);
            float[] scale = Random(g.OutChannels, 4), shift = Random(g.OutChannels, 5);
            float[] one = new float[g.OutputLength], two = new float[g.OutputLength], three = new float[g.OutputLength], plain = new float[g.OutputLength];
            fixed (float* ps = scale, pt = shift)
            {
                var epilogue = new ConvEpilogue(ps, pt, ActivationKind.Relu, 0);
                Conv2d.Forward(x, w, b, g, one, epilogue, 1);
                Conv2d.Forward(x, w, b, g, two, epilogue, 2);
                Conv2d.Forward(x, w, b, g, three, epilogue, 3);
            }
            CollectionAssert.AreEqual(one, two, $"{g}: two threads");
            CollectionAssert.AreEqual(one, three, $"{g}: three threads");
            Conv2d.Forward(x, w, b, g, plain, 2);
            AssertClose(Conv2dReference.Forward(D(x), D(w), D(b), g), plain, 1e-5, $"y {g} t2");
            int planeLength = g.OutHeight * g.OutWidth;
            for (int i = 0; i < plain.Length; i++)
            {
                int c = i / planeLength % g.OutChannels;
                Assert.AreEqual(Math.Max(0f, new AffineOp(scale[c], shift[c]).Invoke(plain[i])), two[i], $"{g}: epilogue at {i}");
            }
        }
    }

    [TestMethod]
    public unsafe void BiasAndEpilogue_InOnePass_GiveTheBitsOfTheConvolutionThenTheEpilogue()
    {
        // Unfolded and pointwise routes, one image a product (a 30x30 map) and several (7x7 planes side by side, and a
        // stride-2 3x3): the bias added in the epilogue's pass (an operator: ReLU6, hard-swish, none) or before it (SiLU)
        // against the plain convolution with its bias followed by the epilogue over each plane.
        foreach (var g in new[]
        {
            new Conv2dGeometry(2, 16, 30, 30, 20, 1, 1),
            new Conv2dGeometry(3, 24, 7, 7, 40, 1, 1),
            new Conv2dGeometry(2, 8, 15, 15, 12, 3, 3, 2, 2, 1, 1, 1, 1),
        })
            foreach (ActivationKind? activation in new ActivationKind?[] { ActivationKind.Relu6, ActivationKind.HardSwish, ActivationKind.Silu, null })
            {
                float[] x = Random(g.InputLength, 11), w = Random(g.WeightLength, 12), b = Random(g.OutChannels, 13);
                float[] scale = Random(g.OutChannels, 14), shift = Random(g.OutChannels, 15);
                float[] fused = new float[g.OutputLength], expected = new float[g.OutputLength];
                int plane = g.OutHeight * g.OutWidth;
                fixed (float* ps = scale, pt = shift)
                {
                    var epilogue = new ConvEpilogue(ps, pt, activation, 0);
                    Conv2d.Forward(x, w, b, g, fused, epilogue, 2);
                    Conv2d.Forward(x, w, b, g, expected, 2);
                    for (int p = 0; p < g.Batch * g.OutChannels; p++) epilogue.Apply(expected.AsSpan(p * plane, plane), p % g.OutChannels);
                }
                CollectionAssert.AreEqual(expected, fused, $"{g} {activation?.ToString() ?? "affine only"}");
            }
    }

    [TestMethod]
    public unsafe void PointwiseOutputsLargerThanTheCache_TakeTheirEpilogueByColumnChunks_WithTheSameBits()
    {
        // One image's 1x1 product of 80 x 3600 outputs (1.15 MB) runs in chunks of columns, each followed by the epilogue
        // over its part of every plane (the last chunk ragged): bias, batch norm + ReLU6, SiLU, a residual sum with ReLU,
        // and gated inputs, one thread and two (each thread one image), against the convolution then the epilogue per plane.
        var g = new Conv2dGeometry(2, 8, 60, 60, 80, 1, 1);
        int plane = g.OutHeight * g.OutWidth, chunk = Conv2d.EpilogueChunk(g.OutChannels, plane, 1, true);
        Assert.IsTrue(chunk < plane && plane % chunk != 0, $"{chunk} columns a chunk");
        Assert.AreEqual(plane, Conv2d.EpilogueChunk(g.OutChannels, plane, 2, true), "a product split over threads keeps its columns whole");
        Assert.AreEqual(plane, Conv2d.EpilogueChunk(g.OutChannels, plane, 1, false), "nothing to apply");
        float[] x = Random(g.InputLength, 41), w = Random(g.WeightLength, 42), b = Random(g.OutChannels, 43), residual = Random(g.OutputLength, 44);
        float[] scale = Random(g.OutChannels, 45), shift = Random(g.OutChannels, 46), gates = Random(g.Batch * g.InChannels, 47);
        float[] scaled = new float[x.Length];
        int inPlane = g.InHeight * g.InWidth;
        for (int p = 0; p < g.Batch * g.InChannels; p++)
            System.Numerics.Tensors.TensorPrimitives.Multiply(x.AsSpan(p * inPlane, inPlane), gates[p], scaled.AsSpan(p * inPlane, inPlane));
        foreach (int threads in new[] { 1, 2 })
            foreach (var (activation, withResidual, gated) in new (ActivationKind?, bool, bool)[]
                { (ActivationKind.Relu6, false, false), (ActivationKind.Silu, false, true), (ActivationKind.Relu, true, false), (null, false, false) })
            {
                float[] fused = Enumerable.Repeat(float.NaN, g.OutputLength).ToArray(), expected = new float[g.OutputLength];
                fixed (float* ps = scale, pt = shift, pf = fused, pe = expected, pr = residual)
                {
                    var plain = new ConvEpilogue(ps, pt, activation, 0);
                    var epilogue = withResidual ? plain.WithResidual(pf, pr) : plain;
                    var after = withResidual ? plain.WithResidual(pe, pr) : plain;
                    Conv2d.Forward(x, w, b, g, fused, epilogue, threads, default, gated ? gates : default);
                    Conv2d.Forward(gated ? scaled : x, w, b, g, expected, threads);
                    for (int p = 0; p < g.Batch * g.OutChannels; p++) after.Apply(expected.AsSpan(p * plane, plane), p % g.OutChannels);
                }
                AssertSameBits(expected, fused, $"t{threads} {activation?.ToString() ?? "affine only"} residual={withResidual} gated={gated}");
            }
    }

    [TestMethod]
    public unsafe void PackedWeights_GiveTheBitsOfPackingInEachProduct()
    {
        // Every batching case (grouped, several images a product, pointwise, stride 2) plus batch-1 layers of a ResNet's
        // last stages (4x4 and 2x2 maps: the unfolded route's row table, and the column kernels) and a pointwise one, with a
        // bias and an epilogue, on one thread and two.
        var batchOne = new (Conv2dGeometry, int)[]
        {
            (new(1, 64, 4, 4, 96, 3, 3, 1, 1, 1, 1, 1, 1), 2), (new(1, 48, 2, 2, 72, 3, 3, 1, 1, 1, 1, 1, 1), 1),
            (new(1, 40, 8, 8, 24, 3, 3, 2, 2, 1, 1, 1, 1), 2), (new(1, 32, 3, 3, 80, 1, 1), 2),
        };
        int routes = 0;
        foreach (var (g, threads) in Cases().Concat(batchOne))
        {
            if (!Conv2d.ReadsPackedWeights(g)) continue;
            routes++;
            float[] x = Random(g.InputLength, 21), w = Random(g.WeightLength, 22), b = Random(g.OutChannels, 23);
            float[] scale = Random(g.OutChannels, 24), shift = Random(g.OutChannels, 25);
            var packed = new float[Conv2d.PackedWeightLength(g)];
            Conv2d.PackWeights(w, g, packed);
            float[] expected = new float[g.OutputLength], actual = Enumerable.Repeat(float.NaN, g.OutputLength).ToArray();
            fixed (float* ps = scale, pt = shift)
            {
                var epilogue = new ConvEpilogue(ps, pt, ActivationKind.Relu, 0);
                Conv2d.Forward(x, w, b, g, expected, epilogue, threads);
                Conv2d.Forward(x, w, b, g, actual, epilogue, threads, packed);
            }
            AssertSameBits(expected, actual, $"{g} t{threads}");
        }
        Assert.IsGreaterThanOrEqualTo(10, routes, "cases that read packed weights");
        var some = new Conv2dGeometry(1, 8, 4, 4, 8, 3, 3, 1, 1, 1, 1, 1, 1);
        Assert.ThrowsExactly<ArgumentException>(() => Conv2d.Forward(new float[some.InputLength], new float[some.WeightLength], [], some, new float[some.OutputLength],
            default, 1, new float[Conv2d.PackedWeightLength(some) - 1]), "panels of another length");
    }

    [TestMethod]
    public unsafe void InputScale_GivesTheBitsOfScalingTheInputFirst()
    {
        // A 1x1 convolution reading x's channels times per-image scales (squeeze-and-excitation's gates): one image a
        // product (30x30) and several side by side (7x7, 14x14), with and without packed weights, one thread and two,
        // against the plain convolution of x scaled first; then the shapes it refuses.
        foreach (var g in new[] { new Conv2dGeometry(3, 24, 30, 30, 40, 1, 1), new Conv2dGeometry(21, 16, 7, 7, 24, 1, 1), new Conv2dGeometry(5, 8, 14, 14, 36, 1, 1) })
            foreach (int threads in new[] { 1, 2 })
                foreach (bool packedWeights in new[] { false, true })
                {
                    float[] x = Random(g.InputLength, 31), w = Random(g.WeightLength, 32), b = Random(g.OutChannels, 33), gates = Random(g.Batch * g.InChannels, 34);
                    float[] scale = Random(g.OutChannels, 35), shift = Random(g.OutChannels, 36);
                    int plane = g.InHeight * g.InWidth;
                    float[] scaled = new float[x.Length];
                    for (int p = 0; p < g.Batch * g.InChannels; p++)
                        System.Numerics.Tensors.TensorPrimitives.Multiply(x.AsSpan(p * plane, plane), gates[p], scaled.AsSpan(p * plane, plane));
                    float[] packed = packedWeights ? new float[Conv2d.PackedWeightLength(g)] : [];
                    if (packedWeights) Conv2d.PackWeights(w, g, packed);
                    float[] expected = new float[g.OutputLength], actual = Enumerable.Repeat(float.NaN, g.OutputLength).ToArray();
                    fixed (float* ps = scale, pt = shift)
                    {
                        var epilogue = new ConvEpilogue(ps, pt, ActivationKind.Relu6, 0);
                        Conv2d.Forward(scaled, w, b, g, expected, epilogue, threads);
                        Conv2d.Forward(x, w, b, g, actual, epilogue, threads, packed, gates);
                    }
                    AssertSameBits(expected, actual, $"{g} t{threads} packed={packedWeights}");
                }
        var threeByThree = new Conv2dGeometry(2, 4, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1);
        Assert.ThrowsExactly<ArgumentException>(() => Conv2d.Forward(new float[threeByThree.InputLength], new float[threeByThree.WeightLength], [], threeByThree,
            new float[threeByThree.OutputLength], default, 1, default, new float[8]), "a 3x3 kernel");
        var pointwise = new Conv2dGeometry(2, 4, 6, 6, 4, 1, 1);
        Assert.ThrowsExactly<ArgumentException>(() => Conv2d.Forward(new float[pointwise.InputLength], new float[pointwise.WeightLength], [], pointwise,
            new float[pointwise.OutputLength], default, 1, default, new float[7]), "scales of another length");
    }

    [TestMethod]
    public unsafe void FewerImagesThanThreads_SplitByRowBandsOrByProducts_GiveTheSerialBits()
    {
        // Batch-1 (and batch-2 on three threads) layers: maps larger than the weights split their output rows over the
        // threads (the grid route with 1- and 2-row halos, the unfolded route at stride 2 with its own bands, pointwise,
        // grouped, bands of unequal height); the rest split each product, or (too small) run on one thread. Each with a bias, batch norm + ReLU and a residual
        // sum, against the same layer on one thread, and that one against the double reference.
        var cases = new (Conv2dGeometry G, bool Bands)[]
        {
            (new(1, 16, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1), true),             // ResNet-20's first stage
            (new(1, 8, 19, 17, 12, 5, 5, 1, 1, 2, 2, 2, 2), true),              // 5x5 "same": halos of two rows
            (new(1, 3, 40, 40, 16, 7, 7, 2, 2, 3, 3, 3, 3), true),              // a stem: stride 2, unfolded
            (new(1, 48, 30, 30, 24, 1, 1), true),                               // pointwise
            (new(1, 32, 20, 20, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2), true),    // grouped
            (new(2, 8, 23, 23, 8, 3, 3, 1, 1, 1, 1, 1, 1), true),               // two images, fewer than three threads
            (new(1, 64, 11, 11, 64, 3, 3, 1, 1, 1, 1, 1, 1), false),            // channels split: the grid's product
            (new(1, 64, 4, 4, 96, 3, 3, 1, 1, 1, 1, 1, 1), false),              // and the unfolded one
            (new(1, 16, 28, 28, 32, 1, 1, 2, 2), false),                        // too little work to split at all
        };
        foreach (var (g, bands) in cases)
        {
            Assert.AreEqual(bands, Conv2d.SplitsRows(g, 2), $"{g}: split by rows");
            float[] x = Random(g.InputLength, 51), w = Random(g.WeightLength, 52), b = Random(g.OutChannels, 53), residual = Random(g.OutputLength, 54);
            float[] scale = Random(g.OutChannels, 55), shift = Random(g.OutChannels, 56);
            float[] plain = new float[g.OutputLength];
            Conv2d.Forward(x, w, b, g, plain, 1);
            AssertClose(Conv2dReference.Forward(D(x), D(w), D(b), g), plain, 1e-5, $"y {g}");
            float[] serial = new float[g.OutputLength];
            foreach (int threads in new[] { 1, 2, 3 })
            {
                float[] y = Enumerable.Repeat(float.NaN, g.OutputLength).ToArray();
                fixed (float* ps = scale, pt = shift, py = y, pr = residual)
                    Conv2d.Forward(x, w, b, g, y, new ConvEpilogue(ps, pt, ActivationKind.Relu, 0).WithResidual(py, pr), threads);
                if (threads == 1)
                {
                    int plane = g.OutHeight * g.OutWidth;
                    for (int i = 0; i < y.Length; i++)
                        Assert.AreEqual(Math.Max(0f, new AffineOp(scale[i / plane % g.OutChannels], shift[i / plane % g.OutChannels]).Invoke(plain[i]) + residual[i]), y[i], $"{g}: epilogue at {i}");
                    serial = y;
                }
                else AssertSameBits(serial, y, $"{g} on {threads} threads");
            }
        }
    }

    [TestMethod]
    public unsafe void GridProductSplitByColumns_TakesEachBlockOfPixels_WithTheSerialBits()
    {
        // Eight output channels are one panel of rows, so two threads split the grid's product by columns, which cut rows
        // and images (three 14x14 maps on one grid, a 28x28 map) mid-way: each block's pixels go to their planes, added
        // (an input gradient's accumulation, checked against the reference) or written through the bias and epilogue, as
        // the whole product's would.
        foreach (var g in new[] { new Conv2dGeometry(3, 16, 14, 14, 8, 3, 3, 1, 1, 1, 1, 1, 1), new Conv2dGeometry(1, 16, 28, 28, 8, 3, 3, 1, 1, 1, 1, 1, 1) })
            foreach (bool accumulate in new[] { false, true })
            {
                float[] x = Random(g.InputLength, 61), w = Random(g.WeightLength, 62), b = Random(g.OutChannels, 63), start = Random(g.OutputLength, 64);
                float[] scale = Random(g.OutChannels, 65), shift = Random(g.OutChannels, 66);
                float[] serial = (float[])start.Clone(), split = (float[])start.Clone();
                fixed (float* px = x, pw = w, pb = b, ps = scale, pt = shift, p1 = serial, p2 = split)
                {
                    var epilogue = new ConvEpilogue(ps, pt, ActivationKind.Relu6, 0);
                    ShiftedConv.Run(px, pw, pb, g.InChannels, g.OutChannels, g, p1, accumulate, 0, g.Batch, epilogue, gemmThreads: 1);
                    ShiftedConv.Run(px, pw, pb, g.InChannels, g.OutChannels, g, p2, accumulate, 0, g.Batch, epilogue, gemmThreads: 2);
                }
                AssertSameBits(serial, split, $"{g} accumulate={accumulate}");
                if (!accumulate) continue;
                // Accumulating (the input gradient's use) adds the convolution alone: no bias.
                double[] expected = Conv2dReference.Forward(D(x), D(w), new double[g.OutChannels], g);
                for (int i = 0; i < expected.Length; i++) expected[i] += start[i];
                AssertClose(expected, split, 1e-5, $"{g} accumulated");
            }
    }
}
