using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Operators;
using MlPipelines.Engine.Kernels.Reference;
using static MlPipelines.Engine.Tests.Kernels.KernelTestData;

namespace MlPipelines.Engine.Tests.Kernels;

/// <summary>
/// 3x3 stride-1 convolutions with enough channels and outputs go through Winograd's F(2x2, 3x3)
/// (<see cref="WinogradConv"/>): checked against the double-precision direct sum on shapes that put the transforms'
/// vector tails, odd output sizes, asymmetric padding, blocks split inside an image and blocks spanning many images to work.
/// </summary>
[TestClass]
[TestCategory("Kernels")]
public sealed class WinogradConvTests
{
    /// <summary>(geometry, threads); every one takes the Winograd route.</summary>
    private static IEnumerable<(Conv2dGeometry G, int Threads)> Cases()
    {
        yield return (new(4, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1), 1);        // "same", 8 tiles a row
        yield return (new(4, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1), 2);
        yield return (new(4, 33, 17, 19, 35, 3, 3, 1, 1, 1, 1, 1, 1), 2);        // odd sizes: half tiles at the bottom and right
        yield return (new(5, 32, 15, 21, 40, 3, 3, 1, 1, 0, 0, 0, 0), 3);        // valid: 13x19 outputs
        yield return (new(7, 36, 12, 13, 32, 3, 3, 1, 1, 0, 2, 2, 1), 2);        // asymmetric padding: 12x14 outputs
        yield return (new(2, 64, 56, 56, 48, 3, 3, 1, 1, 1, 1, 1, 1), 2);        // 28 tiles a row: several blocks per image
        yield return (new(64, 64, 4, 4, 64, 3, 3, 1, 1, 1, 1, 1, 1), 2);         // one block of 64 images: phases split over threads
        yield return (new(23, 40, 7, 7, 33, 3, 3, 1, 1, 1, 1, 1, 1), 1);         // 7x7: a tile row of 4, the last output row alone
        yield return (new(23, 40, 7, 7, 33, 3, 3, 1, 1, 1, 1, 1, 1), 2);
    }

    [TestMethod]
    public void Route_TakesOnlyThreeByThreeStrideOne_WithEnoughChannelsAndOutputs()
    {
        foreach (var (g, _) in Cases()) Assert.IsTrue(WinogradConv.Pays(g), $"test case {g} takes the route");
        Assert.IsFalse(WinogradConv.Pays(new Conv2dGeometry(8, 32, 16, 16, 32, 3, 3, 2, 2, 1, 1, 1, 1)), "stride 2");
        Assert.IsFalse(WinogradConv.Pays(new Conv2dGeometry(8, 32, 16, 16, 32, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2)), "dilation 2");
        Assert.IsFalse(WinogradConv.Pays(new Conv2dGeometry(8, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2)), "two groups");
        Assert.IsFalse(WinogradConv.Pays(new Conv2dGeometry(8, 32, 16, 16, 32, 5, 5, 1, 1, 2, 2, 2, 2)), "5x5");
        Assert.IsFalse(WinogradConv.Pays(new Conv2dGeometry(8, 32, 16, 16, 32, 3, 3, 1, 1, 3, 3, 3, 3)), "padding 3");
        Assert.IsFalse(WinogradConv.Pays(new Conv2dGeometry(8, 16, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1)), "16 input channels");
        Assert.IsFalse(WinogradConv.Pays(new Conv2dGeometry(8, 32, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1)), "16 output channels");
        Assert.IsFalse(WinogradConv.Pays(new Conv2dGeometry(1, 256, 8, 8, 256, 3, 3, 1, 1, 1, 1, 1, 1)), "64 outputs cannot repay the kernel transform");
    }

    [TestMethod]
    public void ForwardAndInputGradient_MatchTheDirectSum()
    {
        int seed = 300;
        foreach (var (g, threads) in Cases())
        {
            float[] x = Random(g.InputLength, seed++), w = Random(g.WeightLength, seed++), b = Random(g.OutChannels, seed++), dy = Random(g.OutputLength, seed++);
            var y = new float[g.OutputLength];
            Conv2d.Forward(x, w, b, g, y, threads);
            AssertClose(Conv2dReference.Forward(D(x), D(w), D(b), g), y, 1e-5, $"y {g} t{threads}");

            double[] expected = Conv2dReference.BackwardData(D(dy), D(w), g);
            float[] added = Enumerable.Repeat(0.5f, g.InputLength).ToArray(), written = Enumerable.Repeat(float.NaN, g.InputLength).ToArray();
            Conv2d.BackwardData(dy, w, g, added, threads);
            Conv2d.BackwardData(dy, w, g, written, threads, accumulate: false);
            AssertClose(expected.Select(v => v + 0.5).ToArray(), added, 1e-5, $"dX += {g} t{threads}");
            AssertClose(expected, written, 1e-5, $"dX = {g} t{threads}");
        }
    }

    [TestMethod]
    public void Results_DoNotDependOnTheThreadCount()
    {
        // Every product runs on one thread whichever way the work is split (blocks, or phases of one block).
        foreach (var g in new[] { new Conv2dGeometry(6, 48, 14, 14, 40, 3, 3, 1, 1, 1, 1, 1, 1), new Conv2dGeometry(64, 64, 4, 4, 64, 3, 3, 1, 1, 1, 1, 1, 1) })
        {
            float[] x = Random(g.InputLength, 1), w = Random(g.WeightLength, 2), dy = Random(g.OutputLength, 3);
            float[] y1 = new float[g.OutputLength], dx1 = new float[g.InputLength];
            Conv2d.Forward(x, w, [], g, y1, 1);
            Conv2d.BackwardData(dy, w, g, dx1, 1);
            foreach (int threads in new[] { 2, 3, 5 })
            {
                float[] y = new float[g.OutputLength], dx = new float[g.InputLength];
                Conv2d.Forward(x, w, [], g, y, threads);
                Conv2d.BackwardData(dy, w, g, dx, threads);
                CollectionAssert.AreEqual(y1, y, $"forward {g}, {threads} threads");
                CollectionAssert.AreEqual(dx1, dx, $"input gradient {g}, {threads} threads");
            }
        }
    }

    [TestMethod]
    public unsafe void FusedEpilogue_EqualsTheSeparatePasses()
    {
        var g = new Conv2dGeometry(11, 32, 9, 11, 36, 3, 3, 1, 1, 1, 1, 1, 1);
        Assert.IsTrue(WinogradConv.Pays(g));
        float[] x = Random(g.InputLength, 7), w = Random(g.WeightLength, 8), b = Random(g.OutChannels, 9);
        float[] scale = Random(g.OutChannels, 10), shift = Random(g.OutChannels, 11);
        float[] separate = new float[g.OutputLength], fused = new float[g.OutputLength];
        Conv2d.Forward(x, w, b, g, separate, 2);
        int plane = g.OutHeight * g.OutWidth;
        for (int i = 0; i < separate.Length; i++)
        {
            int c = i / plane % g.OutChannels;
            separate[i] = Math.Max(0f, new AffineOp(scale[c], shift[c]).Invoke(separate[i]));
        }
        fixed (float* ps = scale, pt = shift)
            Conv2d.Forward(x, w, b, g, fused, new ConvEpilogue(ps, pt, ActivationKind.Relu, 0), 2);
        CollectionAssert.AreEqual(separate, fused);
    }
}
