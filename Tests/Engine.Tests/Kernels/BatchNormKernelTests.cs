using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Reference;

namespace MlPipelines.Engine.Tests.Kernels;

/// <summary>
/// The vectorised batch-norm kernel against the double reference over plane sizes that hit every vector tail, its
/// gradient against central differences of that reference, and its channel split over threads.
/// </summary>
[TestClass]
[TestCategory("Kernels")]
public sealed class BatchNormKernelTests
{
    private static double[] RandomD(int n, Random rng, double scale, double offset) =>
        Enumerable.Range(0, n).Select(_ => (rng.NextDouble() * 2 - 1) * scale + offset).ToArray();

    private static float[] F(double[] x) => x.Select(v => (float)v).ToArray();

    [TestMethod]
    public void ForwardTraining_MatchesReference_AndUpdatesRunningStatistics()
    {
        var rng = new Random(5);
        foreach (int hw in new[] { 1, 7, 8, 9, 15, 16, 17, 31, 33, 49, 196, 257 })
        {
            int n = hw == 1 ? 5 : 3, c = 3, count = n * hw;
            // An offset far from zero with a small spread: the variance must not come from E[x^2] - E[x]^2.
            double[] x = RandomD(n * c * hw, rng, 0.5, 40), gamma = RandomD(c, rng, 1, 0), beta = RandomD(c, rng, 1, 0);
            float[] xf = F(x);
            double[] xr = xf.Select(v => (double)v).ToArray();
            var y = new float[x.Length];
            float[] mean = new float[c], inv = new float[c], rm = [0.5f, -1f, 2f], rv = [1f, 2f, 0.5f];
            BatchNorm.ForwardTraining(xf, F(gamma), F(beta), n, c, hw, 1e-5f, 0.1f, y, mean, inv, rm, rv, threads: 2);
            double[] expected = NormalizationReference.BatchNormTraining(xr, F(gamma).Select(v => (double)v).ToArray(),
                F(beta).Select(v => (double)v).ToArray(), n, c, hw, 1e-5);
            for (int i = 0; i < y.Length; i++) Assert.AreEqual(expected[i], y[i], 2e-4 * (1 + Math.Abs(expected[i])), $"hw {hw}: y[{i}]");
            for (int ch = 0; ch < c; ch++)
            {
                double[] v = Enumerable.Range(0, n).SelectMany(i => xr.Skip((i * c + ch) * hw).Take(hw)).ToArray();
                double mu = v.Average(), var = v.Select(t => (t - mu) * (t - mu)).Average();
                Assert.AreEqual(mu, mean[ch], 1e-5 * Math.Abs(mu), $"hw {hw}: mean[{ch}]");
                Assert.AreEqual(1 / Math.Sqrt(var + 1e-5), inv[ch], 1e-3 / Math.Sqrt(var + 1e-5), $"hw {hw}: invstd[{ch}]");
                double unbiased = var * count / (count - 1);
                Assert.AreEqual(0.9 * new[] { 0.5, -1, 2 }[ch] + 0.1 * mu, rm[ch], 1e-5 * (1 + Math.Abs(mu)), $"hw {hw}: running mean[{ch}]");
                Assert.AreEqual(0.9 * new[] { 1, 2, 0.5 }[ch] + 0.1 * unbiased, rv[ch], 1e-3 * (1 + unbiased), $"hw {hw}: running var[{ch}]");
            }
        }
    }

    [TestMethod]
    public void BackwardTraining_MatchesFiniteDifferences()
    {
        var rng = new Random(9);
        foreach (int hw in new[] { 17, 24 })
        {
            int n = 2, c = 2;
            double[] x = RandomD(n * c * hw, rng, 1, 0.3), gamma = [1.5, -0.7], beta = [0.1, -0.2];
            double[] dy = RandomD(x.Length, rng, 0.5, 0);
            float[] xf = F(x), gf = F(gamma), dyf = F(dy);
            float[] mean = new float[c], inv = new float[c], y = new float[x.Length];
            BatchNorm.ForwardTraining(xf, gf, F(beta), n, c, hw, 1e-5f, 0.1f, y, mean, inv, [], []);
            float[] dx = Enumerable.Repeat(0.25f, x.Length).ToArray(), dg = [1f, 1f], db = [0f, 0f];
            BatchNorm.BackwardTraining(xf, dyf, gf, mean, inv, n, c, hw, dx, dg, db, threads: 2);

            double[] xd = xf.Select(v => (double)v).ToArray(), gd = gf.Select(v => (double)v).ToArray(), dyd = dyf.Select(v => (double)v).ToArray();
            double Loss(double[] xx, double[] gg, double[] bb) => NormalizationReference.BatchNormTraining(xx, gg, bb, n, c, hw, 1e-5).Zip(dyd, (a, b) => a * b).Sum();
            double[] bd = [0.1, -0.2];
            const double h = 1e-5;
            for (int i = 0; i < x.Length; i++)
            {
                double keep = xd[i];
                xd[i] = keep + h;
                double up = Loss(xd, gd, bd);
                xd[i] = keep - h;
                double down = Loss(xd, gd, bd);
                xd[i] = keep;
                Assert.AreEqual((up - down) / (2 * h) + 0.25, dx[i], 2e-3, $"hw {hw}: dx[{i}]");
            }
            for (int ch = 0; ch < c; ch++)
            {
                double keep = gd[ch];
                gd[ch] = keep + h;
                double up = Loss(xd, gd, bd);
                gd[ch] = keep - h;
                double down = Loss(xd, gd, bd);
                gd[ch] = keep;
                Assert.AreEqual((up - down) / (2 * h) + 1, dg[ch], 2e-3, $"hw {hw}: dgamma[{ch}]");
                double sumDy = Enumerable.Range(0, n).SelectMany(i => dyd.Skip((i * c + ch) * hw).Take(hw)).Sum();
                Assert.AreEqual(sumDy, db[ch], 1e-4, $"hw {hw}: dbeta[{ch}]");
            }
        }
    }

    [TestMethod]
    public void Threads_GiveTheSameBits_AndBadSizesAreRejected()
    {
        var rng = new Random(2);
        int n = 8, c = 9, hw = 49;
        float[] x = F(RandomD(n * c * hw, rng, 2, 1)), dy = F(RandomD(n * c * hw, rng, 1, 0)), gamma = F(RandomD(c, rng, 1, 0)), beta = F(RandomD(c, rng, 1, 0));
        (float[] Y, float[] Dx, float[] Dg) Run(int threads)
        {
            float[] y = new float[x.Length], mean = new float[c], inv = new float[c], rm = new float[c], rv = new float[c], dx = new float[x.Length], dg = new float[c], db = new float[c];
            BatchNorm.ForwardTraining(x, gamma, beta, n, c, hw, 1e-5f, 0.1f, y, mean, inv, rm, rv, threads);
            BatchNorm.BackwardTraining(x, dy, gamma, mean, inv, n, c, hw, dx, dg, db, threads);
            return (y, dx, dg);
        }
        var one = Run(1);
        foreach (int threads in new[] { 2, 3 })
        {
            var many = Run(threads);
            CollectionAssert.AreEqual(one.Y, many.Y, $"y, {threads} threads");
            CollectionAssert.AreEqual(one.Dx, many.Dx, $"dx, {threads} threads");
            CollectionAssert.AreEqual(one.Dg, many.Dg, $"dgamma, {threads} threads");
        }
        var ex = Assert.ThrowsExactly<ArgumentException>(() =>
            BatchNorm.ForwardTraining(x, gamma, beta, n, c, hw, 1e-5f, 0.1f, new float[x.Length], new float[c - 1], new float[c], [], []));
        StringAssert.Contains(ex.Message, "channels");
        Assert.ThrowsExactly<ArgumentException>(() =>
            BatchNorm.BackwardTraining(x, dy, gamma, new float[c], new float[c], n, c, hw, new float[x.Length - 1], [], []));
        Assert.ThrowsExactly<ArgumentException>(() =>
            BatchNorm.ForwardTraining(x, gamma, beta, n, c + 1, hw, 1e-5f, 0.1f, new float[x.Length], new float[c + 1], new float[c + 1], [], []));
    }

    [TestMethod]
    public void OverwritingGradients_AndThreadedInference_MatchTheSerialAccumulatingOnes()
    {
        var rng = new Random(4);
        int n = 6, c = 11, hw = 50;
        float[] x = F(RandomD(n * c * hw, rng, 2, 1)), dy = F(RandomD(n * c * hw, rng, 1, 0)), gamma = F(RandomD(c, rng, 1, 0)), beta = F(RandomD(c, rng, 1, 0));
        float[] rm = F(RandomD(c, rng, 1, 0)), rv = F(RandomD(c, rng, 1, 0)).Select(v => Math.Abs(v) + 0.5f).ToArray();
        float[] mean = new float[c], inv = new float[c], y = new float[x.Length];
        BatchNorm.ForwardTraining(x, gamma, beta, n, c, hw, 1e-5f, 0.1f, y, mean, inv, [], []);
        float[] added = new float[x.Length], written = Enumerable.Repeat(float.NaN, x.Length).ToArray();
        BatchNorm.BackwardTraining(x, dy, gamma, mean, inv, n, c, hw, added, new float[c], new float[c]);
        BatchNorm.BackwardTraining(x, dy, gamma, mean, inv, n, c, hw, written, new float[c], new float[c], threads: 2, accumulate: false);
        CollectionAssert.AreEqual(added, written, "training dx: overwriting equals adding to zeros");

        float[] addedEval = new float[x.Length], writtenEval = Enumerable.Repeat(float.NaN, x.Length).ToArray();
        BatchNorm.BackwardInference(x, dy, gamma, rm, rv, n, c, hw, 1e-5f, addedEval, new float[c], new float[c]);
        BatchNorm.BackwardInference(x, dy, gamma, rm, rv, n, c, hw, 1e-5f, writtenEval, new float[c], new float[c], accumulate: false);
        CollectionAssert.AreEqual(addedEval, writtenEval, "eval dx: overwriting equals adding to zeros");

        float[] serial = new float[x.Length];
        BatchNorm.ForwardInference(x, gamma, beta, rm, rv, n, c, hw, 1e-5f, serial);
        for (int i = 0; i < x.Length; i++)
        {
            int ch = i / hw % c;
            double expected = gamma[ch] * (x[i] - rm[ch]) / Math.Sqrt(rv[ch] + 1e-5) + beta[ch];
            Assert.AreEqual(expected, serial[i], 1e-5 * (1 + Math.Abs(expected)), $"inference y at {i}");
        }
        foreach (int threads in new[] { 2, 3 })
        {
            float[] parallel = new float[x.Length];
            BatchNorm.ForwardInference(x, gamma, beta, rm, rv, n, c, hw, 1e-5f, parallel, threads);
            CollectionAssert.AreEqual(serial, parallel, $"inference y, {threads} threads");
        }
        Assert.ThrowsExactly<ArgumentException>(() => BatchNorm.ForwardInference(x, gamma, beta, rm, new float[c - 1], n, c, hw, 1e-5f, serial));
    }

    [TestMethod]
    public void SumSquaredDeviation_MatchesDouble_OverEveryTail()
    {
        var rng = new Random(4);
        for (int length = 0; length <= 257; length++)
        {
            float[] x = F(RandomD(length, rng, 1, 3));
            double expected = x.Sum(v => (v - 3.0) * (v - 3.0));
            Assert.AreEqual(expected, BatchNorm.SumSquaredDeviation(x, 3f), 1e-5 * (1 + expected), $"length {length}");
        }
    }
}
