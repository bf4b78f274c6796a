using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Reference;
using static MlPipelines.Engine.Tests.Kernels.KernelTestData;

namespace MlPipelines.Engine.Tests.Kernels;

[TestClass]
[TestCategory("Kernels")]
public sealed class Conv2dTests
{
    /// <summary>Geometries from the model zoo and odd corners: (N, Cin, H, W, Cout, KH, KW, S, pads T/L/B/R, D, groups).</summary>
    private static IEnumerable<Conv2dGeometry> Geometries()
    {
        yield return new(2, 3, 7, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);          // VGG 3x3/1/1
        yield return new(1, 3, 13, 13, 5, 11, 11, 4, 4, 2, 2, 2, 2, 1, 1, 1);      // AlexNet-like 11x11/4
        yield return new(2, 3, 9, 9, 4, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1);          // ResNet stem 7x7/2/3
        yield return new(1, 3, 81, 80, 4, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1);        // a large stem: strided rows copied by vectors, unfolded in bands
        yield return new(2, 5, 7, 5, 6, 1, 1, 2, 2);                               // 1x1 stride-2 projection
        yield return new(2, 6, 5, 7, 10, 1, 1);                                    // pointwise
        yield return new(2, 4, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4);          // depthwise 3x3/1
        yield return new(1, 4, 9, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4);          // depthwise x2, stride 2
        yield return new(1, 6, 9, 9, 6, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 6);          // EfficientNet 5x5 depthwise
        yield return new(2, 4, 6, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2);          // grouped
        yield return new(1, 3, 9, 8, 2, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1);          // dilation 2
        yield return new(1, 2, 6, 7, 3, 3, 2, 3, 2, 0, 1, 2, 0, 1, 1, 1);          // asymmetric padding, odd strides
        yield return new(3, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1);        // LeNet conv1
        yield return new(1, 1, 1, 1, 3, 1, 1);                                     // 1x1 image
    }

    [TestMethod]
    public void Forward_MatchesReference()
    {
        int seed = 0;
        foreach (var g in Geometries())
        {
            float[] x = Random(g.InputLength, seed++), w = Random(g.WeightLength, seed++), b = Random(g.OutChannels, seed++);
            var y = new float[g.OutputLength];
            Conv2d.Forward(x, w, b, g, y, threads: 2);
            AssertClose(Conv2dReference.Forward(D(x), D(w), D(b), g), y, 1e-5, $"y {g}");
            Conv2d.Forward(x, w, [], g, y);
            AssertClose(Conv2dReference.Forward(D(x), D(w), null, g), y, 1e-5, $"y without bias {g}");
        }
    }

    [TestMethod]
    public void Depthwise_IsEachChannelConvolvedAlone_BitForBit()
    {
        // The direct depthwise kernel (AVX2, AVX-512) against each channel run as its own one-channel convolution (the GEMM
        // route): the same taps summed in the same order. Rows wider than a block and not a multiple of it, stride 2 with odd
        // sizes, 5x5, dilation and asymmetric padding; planes of 7 and 57 blocks of eight, blocks of sixteen, rows shorter
        // than a block (whole vectors are stored, each row's spill overwritten by the next).
        int seed = 300;
        foreach (var g in new Conv2dGeometry[]
        {
            new(3, 5, 19, 21, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5),
            new(2, 4, 17, 23, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4),
            new(1, 3, 15, 15, 3, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 3),
            new(2, 3, 12, 11, 3, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 3),
            new(1, 2, 9, 10, 2, 3, 3, 2, 1, 0, 1, 2, 0, 1, 1, 2),
            new(2, 3, 7, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3),
            new(1, 2, 40, 38, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2),  // 16-wide blocks (AVX-512), rows of 38: three blocks, the last ragged
            new(1, 2, 33, 65, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2),  // stride 2 at 16 wide, 33 outputs a row
            new(2, 3, 5, 5, 3, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 3),    // 3x3 outputs: a block spans three rows
            // 3x3 stride 1 rolls its rows (AVX-512): one group of four whole blocks, four and a ragged one, four and one whole,
            // two groups of four and a ragged one, and rows of exactly one block.
            new(1, 2, 9, 64, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2),
            new(2, 2, 6, 70, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2),
            new(1, 2, 4, 80, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2),
            new(1, 1, 3, 130, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
            new(2, 3, 16, 16, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3),
            new(1, 2, 9, 21, 2, 3, 3, 1, 1, 0, 2, 2, 0, 1, 1, 2),   // rolling with padding on one side of each axis only
            // ... and at stride 2: four whole blocks, four and a ragged one (odd height), padding after only (TensorFlow's "same").
            new(1, 2, 10, 128, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2),
            new(2, 2, 7, 150, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2),
            new(1, 3, 12, 40, 3, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 3),
            new(2, 3, 14, 14, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3),  // 14 -> 7: a scratch plane laid out for 8-wide blocks
        })
        {
            float[] x = Random(g.InputLength, seed++), w = Random(g.WeightLength, seed++), b = Random(g.OutChannels, seed++);
            var y = new float[g.OutputLength];
            Conv2d.Forward(x, w, b, g, y, threads: 2);
            AssertClose(Conv2dReference.Forward(D(x), D(w), D(b), g), y, 1e-5, $"y {g}");
            var one = new Conv2dGeometry(1, 1, g.InHeight, g.InWidth, 1, g.KernelHeight, g.KernelWidth, g.StrideH, g.StrideW,
                g.PadTop, g.PadLeft, g.PadBottom, g.PadRight, g.DilationH, g.DilationW);
            int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, taps = g.KernelHeight * g.KernelWidth;
            var plane = new float[outPlane];
            for (int n = 0; n < g.Batch; n++)
                for (int c = 0; c < g.InChannels; c++)
                {
                    int p = n * g.InChannels + c;
                    Conv2d.Forward(x.AsSpan(p * inPlane, inPlane), w.AsSpan(c * taps, taps), b.AsSpan(c, 1), one, plane);
                    for (int i = 0; i < outPlane; i++)
                        Assert.IsTrue(plane[i] == y[p * outPlane + i], $"{g}: image {n} channel {c} output {i}: {y[p * outPlane + i]} vs {plane[i]}");
                }
        }
    }

    [TestMethod]
    public void Backward_MatchesReference_AndAccumulates()
    {
        int seed = 100;
        foreach (var g in Geometries())
        {
            float[] x = Random(g.InputLength, seed++), w = Random(g.WeightLength, seed++), dy = Random(g.OutputLength, seed++);
            float[] dx = Enumerable.Repeat(0.5f, g.InputLength).ToArray();
            float[] dw = Enumerable.Repeat(0.25f, g.WeightLength).ToArray();
            float[] db = Enumerable.Repeat(-1f, g.OutChannels).ToArray();
            Conv2d.BackwardData(dy, w, g, dx, threads: 2);
            Conv2d.BackwardWeights(x, dy, g, dw, db, threads: 2);
            AssertClose(Conv2dReference.BackwardData(D(dy), D(w), g).Select(v => v + 0.5).ToArray(), dx, 1e-5, $"dX {g}");
            var (rdw, rdb) = Conv2dReference.BackwardWeights(D(x), D(dy), g);
            AssertClose(rdw.Select(v => v + 0.25).ToArray(), dw, 1e-5, $"dW {g}");
            AssertClose(rdb.Select(v => v - 1).ToArray(), db, 1e-5, $"dB {g}");
        }
    }

    [TestMethod]
    public void ReferenceGradients_MatchFiniteDifferences()
    {
        var g = new Conv2dGeometry(2, 4, 5, 6, 4, 3, 2, 2, 1, 1, 0, 1, 1, 1, 2, 2);
        var rng = new Random(3);
        double[] x = Enumerable.Range(0, g.InputLength).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] w = Enumerable.Range(0, g.WeightLength).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] b = Enumerable.Range(0, g.OutChannels).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] dy = Enumerable.Range(0, g.OutputLength).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double Loss() => Conv2dReference.Forward(x, w, b, g).Zip(dy, (a, c) => a * c).Sum();
        double[] dx = Conv2dReference.BackwardData(dy, w, g);
        var (dw, db) = Conv2dReference.BackwardWeights(x, dy, g);
        foreach (var (param, grad, name) in new[] { (x, dx, "x"), (w, dw, "w"), (b, db, "b") })
            for (int i = 0; i < param.Length; i += Math.Max(1, param.Length / 23))
            {
                double keep = param[i];
                param[i] = keep + 1e-6;
                double up = Loss();
                param[i] = keep - 1e-6;
                double down = Loss();
                param[i] = keep;
                Assert.AreEqual((up - down) / 2e-6, grad[i], 1e-6, $"d{name}[{i}]");
            }
    }

    [TestMethod]
    public void Threads_ReproduceTheirBits()
    {
        var g = new Conv2dGeometry(7, 3, 10, 10, 8, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] x = Random(g.InputLength, 1), w = Random(g.WeightLength, 2), dy = Random(g.OutputLength, 3);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            float[] dw1 = new float[g.WeightLength], dw2 = new float[g.WeightLength];
            Conv2d.BackwardWeights(x, dy, g, dw1, [], threads);
            Conv2d.BackwardWeights(x, dy, g, dw2, [], threads);
            CollectionAssert.AreEqual(dw1, dw2, $"threads {threads}");
        }
        float[] y1 = new float[g.OutputLength], y2 = new float[g.OutputLength];
        Conv2d.Forward(x, w, [], g, y1, 1);
        Conv2d.Forward(x, w, [], g, y2, 3);
        CollectionAssert.AreEqual(y1, y2, "forward depends on thread count");

        // One image and several threads: the threads split each multiplication instead (shifted grid and unfolded routes).
        foreach (var single in new Conv2dGeometry[] { new(1, 32, 28, 28, 64, 3, 3, 1, 1, 1, 1, 1, 1), new(1, 32, 28, 28, 64, 3, 3, 2, 2, 1, 1, 1, 1) })
        {
            float[] xs = Random(single.InputLength, 4), ws = Random(single.WeightLength, 5), bs = Random(single.OutChannels, 6);
            float[] serial = new float[single.OutputLength];
            Conv2d.Forward(xs, ws, bs, single, serial, 1);
            AssertClose(Conv2dReference.Forward(D(xs), D(ws), D(bs), single), serial, 1e-5, $"y {single}");
            foreach (int threads in new[] { 2, 3 })
            {
                float[] parallel = new float[single.OutputLength];
                Conv2d.Forward(xs, ws, bs, single, parallel, threads);
                CollectionAssert.AreEqual(serial, parallel, $"{single}: {threads} threads");
            }
        }
    }

    [TestMethod]
    public void Geometry_FollowsTheOutputSizeRule_AndRejectsNonsense()
    {
        var g = new Conv2dGeometry(1, 3, 224, 224, 64, 7, 7, 2, 2, 3, 3, 3, 3);
        Assert.AreEqual((224 - 7 + 2 * 3) / 2 + 1, g.OutHeight);
        Assert.AreEqual(112, g.OutWidth);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Conv2dGeometry(1, 3, 8, 8, 4, 3, 3, groups: 2));
        Assert.ThrowsExactly<ArgumentException>(() => new Conv2dGeometry(1, 1, 2, 2, 1, 5, 5));
        Assert.ThrowsExactly<ArgumentException>(() => Conv2d.Forward(new float[5], new float[27], [], new Conv2dGeometry(1, 3, 3, 3, 1, 3, 3), new float[1]));
    }
}
