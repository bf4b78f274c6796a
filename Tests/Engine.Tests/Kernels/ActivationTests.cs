using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Reference;

namespace MlPipelines.Engine.Tests.Kernels;

[TestClass]
[TestCategory("Kernels")]
public sealed class ActivationTests
{
    private static readonly ActivationKind[] Kinds = Enum.GetValues<ActivationKind>();

    [TestMethod]
    public void FastMatchesReference_ForEveryTailLength()
    {
        var rng = new Random(1);
        foreach (var kind in Kinds)
        {
            for (int n = 0; n <= 257; n++)
            {
                float[] x = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 16 - 8)).ToArray();
                float[] dy = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
                var y = new float[n];
                Activation.Forward(kind, x, y, 0.1f);
                float[] dx = Enumerable.Repeat(1f, n).ToArray();
                Activation.Backward(kind, x, y, dy, dx, 0.1f);
                for (int i = 0; i < n; i++)
                {
                    double ry = ActivationReference.Forward(kind, x[i], 0.1);
                    double rdx = 1 + dy[i] * ActivationReference.Derivative(kind, x[i], 0.1);
                    Assert.AreEqual(ry, y[i], 2e-6 * (1 + Math.Abs(ry)), $"{kind} y n={n} i={i} x={x[i]}");
                    Assert.AreEqual(rdx, dx[i], 2e-5 * (1 + Math.Abs(rdx)), $"{kind} dx n={n} i={i} x={x[i]}");
                }
            }
        }
    }

    [TestMethod]
    public void ReferenceDerivatives_MatchFiniteDifferences_AwayFromKinks()
    {
        foreach (var kind in Kinds)
            for (double x = -5.13; x < 7; x += 0.37)
            {
                double fd = (ActivationReference.Forward(kind, x + 1e-6, 0.1) - ActivationReference.Forward(kind, x - 1e-6, 0.1)) / 2e-6;
                Assert.AreEqual(fd, ActivationReference.Derivative(kind, x, 0.1), 1e-5, $"{kind} at {x}");
            }
    }

    [TestMethod]
    public void Overwriting_Backward_IgnoresWhatDxHeld_AndThreadsGiveTheSameBits()
    {
        // Long enough for the threaded driver to split (more than 2 x 16 blocks of 4096), with a ragged last block.
        var rng = new Random(3);
        int n = 2 * 16 * 4096 + 4093;
        float[] x = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 16 - 8)).ToArray();
        float[] dy = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        foreach (var kind in Kinds)
        {
            var y1 = new float[n];
            Activation.Forward(kind, x, y1, 0.1f);
            float[] added = new float[n], written = Enumerable.Repeat(float.NaN, n).ToArray();
            Activation.Backward(kind, x, y1, dy, added, 0.1f);
            Activation.Backward(kind, x, y1, dy, written, 0.1f, accumulate: false);
            CollectionAssert.AreEqual(added, written, $"{kind}: overwriting equals adding to zeros");
            foreach (int threads in new[] { 2, 3 })
            {
                float[] y = new float[n], dx = Enumerable.Repeat(float.NaN, n).ToArray();
                Activation.Forward(kind, x, y, 0.1f, threads);
                Activation.Backward(kind, x, y, dy, dx, 0.1f, accumulate: false, threads);
                CollectionAssert.AreEqual(y1, y, $"{kind} y, {threads} threads");
                CollectionAssert.AreEqual(written, dx, $"{kind} dx, {threads} threads");
            }
        }
    }

    [TestMethod]
    public void InPlaceForward_IsAllowed()
    {
        float[] x = [-1, 2, -3, 4];
        Activation.Forward(ActivationKind.Relu, x, x);
        CollectionAssert.AreEqual(new float[] { 0, 2, 0, 4 }, x);
    }
}
