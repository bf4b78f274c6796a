using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Reference;
using MlPipelines.Engine.Tests.Golden;

namespace MlPipelines.Engine.Tests.Kernels;

/// <summary>Activations, normalisations, softmax and cross-entropy against PyTorch (Golden/gen_elementwise.py).</summary>
[TestClass]
[TestCategory("Kernels")]
public sealed class GoldenElementwiseTests
{
    private static readonly GoldenFile File = GoldenFile.Load("elementwise.json");

    private static void Close(float[] expected, float[] actual, string what) => GoldenConvPoolTests.AssertClose(expected, actual, what);

    [TestMethod]
    public void Activations_MatchPyTorch()
    {
        foreach (var c in File.Cases.Where(c => c.Name.StartsWith("act_", StringComparison.Ordinal)))
        {
            var kind = Enum.Parse<ActivationKind>(c.Str("kind"));
            float[] x = c["x"].Data;
            var y = new float[x.Length];
            var dx = new float[x.Length];
            Activation.Forward(kind, x, y, 0.1f);
            Activation.Backward(kind, x, y, c["dy"].Data, dx, 0.1f);
            Close(c["y"].Data, y, c.Name + " y");
            Close(c["dx"].Data, dx, c.Name + " dx");
        }
    }

    [TestMethod]
    public void BatchNorm_TrainingAndEval_MatchPyTorch()
    {
        var c = File["batchnorm_train"];
        int[] s = c["x"].Shape;
        int n = s[0], ch = s[1], hw = s[2] * s[3];
        var y = new float[c["x"].Data.Length];
        var mean = new float[ch];
        var inv = new float[ch];
        float[] rm = (float[])c["running_mean0"].Data.Clone(), rv = (float[])c["running_var0"].Data.Clone();
        BatchNorm.ForwardTraining(c["x"].Data, c["gamma"].Data, c["beta"].Data, n, ch, hw, 1e-5f, 0.1f, y, mean, inv, rm, rv);
        Close(c["y"].Data, y, "bn y");
        Close(c["running_mean"].Data, rm, "running mean");
        Close(c["running_var"].Data, rv, "running var");
        var dx = new float[y.Length];
        var dg = new float[ch];
        var db = new float[ch];
        BatchNorm.BackwardTraining(c["x"].Data, c["dy"].Data, c["gamma"].Data, mean, inv, n, ch, hw, dx, dg, db);
        Close(c["dx"].Data, dx, "bn dx");
        Close(c["dgamma"].Data, dg, "bn dgamma");
        Close(c["dbeta"].Data, db, "bn dbeta");

        var e = File["batchnorm_eval"];
        var ye = new float[y.Length];
        BatchNorm.ForwardInference(e["x"].Data, e["gamma"].Data, e["beta"].Data, e["running_mean"].Data, e["running_var"].Data, n, ch, hw, 1e-5f, ye);
        Close(e["y"].Data, ye, "bn eval y");
    }

    [TestMethod]
    public void LayerNorm_MatchesPyTorch()
    {
        var c = File["layernorm"];
        int rows = c["x"].Shape[0], d = c["x"].Shape[1];
        var y = new float[rows * d];
        var mean = new float[rows];
        var inv = new float[rows];
        LayerNorm.Forward(c["x"].Data, c["gamma"].Data, c["beta"].Data, rows, d, 1e-5f, y, mean, inv);
        Close(c["y"].Data, y, "ln y");
        var dx = new float[rows * d];
        var dg = new float[d];
        var db = new float[d];
        LayerNorm.Backward(c["x"].Data, c["dy"].Data, c["gamma"].Data, mean, inv, rows, d, dx, dg, db);
        Close(c["dx"].Data, dx, "ln dx");
        Close(c["dgamma"].Data, dg, "ln dgamma");
        Close(c["dbeta"].Data, db, "ln dbeta");
    }

    [TestMethod]
    public void Softmaxes_MatchPyTorch()
    {
        foreach (string name in new[] { "softmax", "log_softmax" })
        {
            var c = File[name];
            int r = c["x"].Shape[0], k = c["x"].Shape[1];
            var y = new float[r * k];
            var dx = new float[r * k];
            if (name == "softmax")
            {
                Softmax.Forward(c["x"].Data, r, k, y);
                Softmax.Backward(y, c["dy"].Data, r, k, dx);
            }
            else
            {
                Softmax.LogForward(c["x"].Data, r, k, y);
                Softmax.LogBackward(y, c["dy"].Data, r, k, dx);
            }
            Close(c["y"].Data, y, name + " y");
            Close(c["dx"].Data, dx, name + " dx");
        }
    }

    [TestMethod]
    public void CrossEntropy_MatchesPyTorch()
    {
        foreach (var c in File.Cases.Where(c => c.Name.StartsWith("ce_", StringComparison.Ordinal)))
        {
            int n = c["logits"].Shape[0], k = c["logits"].Shape[1];
            var d = new float[n * k];
            double loss;
            if (c.Name == "ce_soft")
                loss = CrossEntropy.Forward(c["logits"].Data, c["soft"].Data, [], n, k, 0, d);
            else
            {
                int[] t = c["targets"].Data.Select(v => (int)v).ToArray();
                float[] w = c.Bool("weighted") ? c["weights"].Data : [];
                loss = CrossEntropy.Forward(c["logits"].Data, t, w, n, k, c.Float("smoothing"), -100, d);
                double reference = NormalizationReference.CrossEntropy(c["logits"].Data.Select(v => (double)v).ToArray(), t,
                    c.Bool("weighted") ? w.Select(v => (double)v).ToArray() : null, n, k, c.Float("smoothing"));
                Assert.AreEqual(reference, loss, 1e-5, c.Name + " reference");
            }
            Assert.AreEqual(c["loss"].Data[0], loss, 1e-5 * (1 + Math.Abs(loss)), c.Name + " loss");
            Close(c["dlogits"].Data, d, c.Name + " dlogits");
        }
    }

    [TestMethod]
    public void CrossEntropy_IgnoresIndexAndRejectsBadTargets()
    {
        float[] z = [1, 2, 3, 4, 5, 6];
        var d = new float[6];
        double both = CrossEntropy.Forward(z, [2, -100], [], 2, 3, 0, -100, d);
        double one = CrossEntropy.Forward(z.AsSpan(0, 3), [2], [], 1, 3, 0, -100, []);
        Assert.AreEqual(one, both, 1e-9);
        Assert.IsTrue(d.Skip(3).All(v => v == 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CrossEntropy.Forward(z, [3, 0], [], 2, 3, 0, -100, d));
    }

    [TestMethod]
    public void Dropout_IsSeededInvertedAndMasksGradients()
    {
        float[] x = Enumerable.Repeat(1f, 10000).ToArray();
        var y1 = new float[x.Length];
        var m1 = new float[x.Length];
        var y2 = new float[x.Length];
        var m2 = new float[x.Length];
        Dropout.Forward(x, 0.3f, new SeededRandom(5), y1, m1);
        Dropout.Forward(x, 0.3f, new SeededRandom(5), y2, m2);
        CollectionAssert.AreEqual(y1, y2);
        double dropped = m1.Count(v => v == 0) / (double)x.Length;
        Assert.AreEqual(0.3, dropped, 0.02);
        Assert.AreEqual(1.0, y1.Average(), 0.03); // inverted scaling keeps the mean
        var dx = new float[x.Length];
        Dropout.Backward(x, m1, dx);
        CollectionAssert.AreEqual(m1, dx);
    }

    [TestMethod]
    public void Broadcast_AddAndMul_ForwardAndBackward()
    {
        float[] a = [1, 2, 3, 4, 5, 6]; // [2, 3]
        float[] b = [10, 20, 30];        // [3]
        var y = new float[6];
        Broadcast.Forward(a, [2, 3], b, [3], false, y);
        CollectionAssert.AreEqual(new float[] { 11, 22, 33, 14, 25, 36 }, y);
        Broadcast.Forward(a, [2, 3], [2f, 3f], [2, 1], true, y);
        CollectionAssert.AreEqual(new float[] { 2, 4, 6, 12, 15, 18 }, y);
        var da = new float[6];
        var db = new float[2];
        Broadcast.Backward(a, [2, 3], [2f, 3f], [2, 1], true, [1, 1, 1, 1, 1, 1], da, db);
        CollectionAssert.AreEqual(new float[] { 2, 2, 2, 3, 3, 3 }, da);
        CollectionAssert.AreEqual(new float[] { 6, 15 }, db);
        Assert.ThrowsExactly<ArgumentException>(() => Broadcast.ResultShape([2, 3], [4]));
        CollectionAssert.AreEqual(new[] { 4, 2, 3 }, Broadcast.ResultShape([4, 1, 3], [2, 1]));
    }

    [TestMethod]
    public void Concat_AndItsBackward_AreInverse()
    {
        float[] a = [1, 2, 3, 4];       // [2, 1, 2]
        float[] b = [5, 6, 7, 8, 9, 10, 11, 12]; // [2, 2, 2]
        var y = new float[12];
        Concat.Forward([a, b], [1, 2], 2, 2, y);
        CollectionAssert.AreEqual(new float[] { 1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12 }, y);
        float[] da = new float[4], db = new float[8];
        Concat.Backward(y, [1, 2], 2, 2, [da, db]);
        CollectionAssert.AreEqual(a, da);
        CollectionAssert.AreEqual(b, db);
    }

    [TestMethod]
    public void References_MatchFiniteDifferencesOfTheirLosses()
    {
        // Cross-entropy reference gradient (p * mass - q) / norm by central differences on the reference loss.
        var rng = new Random(4);
        double[] z = Enumerable.Range(0, 12).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        int[] t = [0, 2, 3];
        double[] w = [1, 2, 0.5, 1.5];
        var d = new float[12];
        CrossEntropy.Forward(z.Select(v => (float)v).ToArray(), t, w.Select(v => (float)v).ToArray(), 3, 4, 0.2f, -100, d);
        for (int i = 0; i < 12; i++)
        {
            double keep = z[i];
            z[i] = keep + 1e-6;
            double up = NormalizationReference.CrossEntropy(z, t, w, 3, 4, 0.2);
            z[i] = keep - 1e-6;
            double down = NormalizationReference.CrossEntropy(z, t, w, 3, 4, 0.2);
            z[i] = keep;
            Assert.AreEqual((up - down) / 2e-6, d[i], 1e-5, $"dlogits[{i}]");
        }
        // Batch-norm backward against central differences of sum(y * dy) computed by the reference.
        int n = 2, ch = 2, hw = 3;
        double[] x = Enumerable.Range(0, n * ch * hw).Select(_ => rng.NextDouble()).ToArray();
        double[] g = [1.5, -0.5], bta = [0.1, 0.2];
        float[] dy = Enumerable.Range(0, x.Length).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var mean = new float[ch];
        var inv = new float[ch];
        var yy = new float[x.Length];
        float[] xf = x.Select(v => (float)v).ToArray(), gf = g.Select(v => (float)v).ToArray();
        BatchNorm.ForwardTraining(xf, gf, [0.1f, 0.2f], n, ch, hw, 1e-5f, 0.1f, yy, mean, inv, [], []);
        var dx = new float[x.Length];
        BatchNorm.BackwardTraining(xf, dy, gf, mean, inv, n, ch, hw, dx, [], []);
        for (int i = 0; i < x.Length; i++)
        {
            double keep = x[i];
            x[i] = keep + 1e-5;
            double up = NormalizationReference.BatchNormTraining(x, g, bta, n, ch, hw, 1e-5).Zip(dy, (a, b) => a * b).Sum();
            x[i] = keep - 1e-5;
            double down = NormalizationReference.BatchNormTraining(x, g, bta, n, ch, hw, 1e-5).Zip(dy, (a, b) => a * b).Sum();
            x[i] = keep;
            Assert.AreEqual((up - down) / 2e-5, dx[i], 1e-3, $"bn dx[{i}]");
        }
    }
}
