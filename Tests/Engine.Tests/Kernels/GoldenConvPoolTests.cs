using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Reference;
using MlPipelines.Engine.Tests.Golden;

namespace MlPipelines.Engine.Tests.Kernels;

/// <summary>Convolution and pooling kernels against PyTorch's autograd (Golden/gen_conv_pool.py).</summary>
[TestClass]
[TestCategory("Kernels")]
public sealed class GoldenConvPoolTests
{
    private static readonly GoldenFile File = GoldenFile.Load("conv_pool.json");

    internal static void AssertClose(float[] expected, float[] actual, string what, double rel = 1e-4)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        double scale = expected.Max(v => Math.Abs(v)) + 1e-6;
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], rel * Math.Max(Math.Abs(expected[i]), scale * 1e-2), $"{what}[{i}]");
    }

    [TestMethod]
    public void Convolutions_MatchPyTorch()
    {
        foreach (var c in File.Cases.Where(c => c.Name.StartsWith("conv", StringComparison.Ordinal)))
        {
            int[] xs = c["x"].Shape, ws = c["w"].Shape, s = c.Ints("stride"), p = c.Ints("padding"), d = c.Ints("dilation");
            var g = new Conv2dGeometry(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], s[0], s[1], p[0], p[1], p[0], p[1], d[0], d[1], c.Int("groups"));
            bool hasBias = c.Tensors.ContainsKey("b");
            var y = new float[g.OutputLength];
            Conv2d.Forward(c["x"].Data, c["w"].Data, hasBias ? c["b"].Data : [], g, y);
            AssertClose(c["y"].Data, y, c.Name + " y");
            var dx = new float[g.InputLength];
            var dw = new float[g.WeightLength];
            var db = new float[hasBias ? g.OutChannels : 0];
            Conv2d.BackwardData(c["dy"].Data, c["w"].Data, g, dx);
            Conv2d.BackwardWeights(c["x"].Data, c["dy"].Data, g, dw, db);
            AssertClose(c["dx"].Data, dx, c.Name + " dx");
            AssertClose(c["dw"].Data, dw, c.Name + " dw");
            if (hasBias) AssertClose(c["db"].Data, db, c.Name + " db");
        }
    }

    [TestMethod]
    public void Pools_MatchPyTorch()
    {
        foreach (var c in File.Cases.Where(c => c.Name.Contains("pool", StringComparison.Ordinal)))
        {
            int[] xs = c["x"].Shape;
            int k = c.Int("kernel"), s = c.Int("stride"), p = c.Int("padding");
            var g = new Pool2dGeometry(xs[0], xs[1], xs[2], xs[3], k, k, s, s, p, p, c.Bool("ceil"));
            CollectionAssert.AreEqual(c["y"].Shape, new[] { xs[0], xs[1], g.OutHeight, g.OutWidth }, c.Name + " output shape");
            var y = new float[g.OutputLength];
            var dx = new float[g.InputLength];
            if (c.Str("kind") == "max")
            {
                var arg = new int[g.OutputLength];
                Pool2d.MaxForward(c["x"].Data, g, y, arg, threads: 2);
                Pool2d.MaxBackward(c["dy"].Data, arg, g, dx);
            }
            else
            {
                Pool2d.AvgForward(c["x"].Data, g, c.Bool("include_pad"), y);
                Pool2d.AvgBackward(c["dy"].Data, g, c.Bool("include_pad"), dx);
            }
            AssertClose(c["y"].Data, y, c.Name + " y");
            AssertClose(c["dx"].Data, dx, c.Name + " dx");
        }
    }

    [TestMethod]
    public void GlobalPools_AreMeansAndMaxima()
    {
        float[] x = [1, 2, 3, 4, 9, -1, 9, 0];
        var avg = new float[2];
        Pool2d.GlobalAvgForward(x, 2, 4, avg);
        CollectionAssert.AreEqual(new[] { 2.5f, 4.25f }, avg);
        var max = new float[2];
        var arg = new int[2];
        Pool2d.GlobalMaxForward(x, 2, 4, max, arg);
        CollectionAssert.AreEqual(new[] { 4f, 9f }, max);
        CollectionAssert.AreEqual(new[] { 3, 0 }, arg); // first maximum wins the tie
        var dx = new float[8];
        Pool2d.GlobalAvgBackward([4f, 8f], 2, 4, dx);
        Pool2d.GlobalMaxBackward([1f, 1f], arg, 2, 4, dx);
        CollectionAssert.AreEqual(new[] { 1f, 1f, 1f, 2f, 3f, 2f, 2f, 2f }, dx);
    }

    [TestMethod]
    public void MaxPool_MatchesPlainReference_InsideAndOnTheBorder_WithTiesAndNaNs()
    {
        int seed = 0, cases = 0;
        foreach (int k in new[] { 1, 2, 3, 5 })
            foreach (int s in new[] { 1, 2, 3 })
                foreach (int d in new[] { 1, 2 })
                    for (int p = 0; p <= k / 2; p++)
                        foreach (bool ceil in new[] { false, true })
                            foreach ((int h, int w) in new[] { (7, 9), (12, 5), (13, 13), (6, 37) })
                            {
                                if ((h + 2 * p - d * (k - 1) - 1) < 0 || (w + 2 * p - d * (k - 1) - 1) < 0) continue;
                                var g = new Pool2dGeometry(2, 3, h, w, k, k, s, s, p, p, ceil, d, d);
                                // Values on a coarse grid so that windows hold ties, and a few NaNs.
                                float[] x = KernelTestData.Random(g.InputLength, seed++).Select(v => MathF.Round(v * 4)).ToArray();
                                for (int i = seed % 17; i < x.Length; i += 29) x[i] = float.NaN;
                                var (ry, rarg) = Pool2dReference.Max(x, g);
                                var y = new float[g.OutputLength];
                                var arg = new int[g.OutputLength];
                                Pool2d.MaxForward(x, g, y, arg, threads: 2);
                                string what = $"k{k} s{s} d{d} p{p} ceil {ceil} {h}x{w}";
                                CollectionAssert.AreEqual(rarg, arg, what + " argmax");
                                CollectionAssert.AreEqual(ry.Select(BitConverter.SingleToInt32Bits).ToArray(), y.Select(BitConverter.SingleToInt32Bits).ToArray(), what + " y");
                                var yOnly = new float[g.OutputLength];
                                Pool2d.MaxForward(x, g, yOnly, [], threads: 1);
                                CollectionAssert.AreEqual(y, yOnly, what + " y without argmax");
                                cases++;
                            }
        Assert.IsTrue(cases > 350, $"{cases} geometries");
    }

    [TestMethod]
    public void MaxPool_TiesPickTheFirstInScanOrder()
    {
        var g = new Pool2dGeometry(1, 1, 2, 2, 2, 2, 2, 2);
        var y = new float[1];
        var arg = new int[1];
        Pool2d.MaxForward([5, 5, 5, 5], g, y, arg);
        Assert.AreEqual(0, arg[0]);
    }
}
