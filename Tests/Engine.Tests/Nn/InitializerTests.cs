using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Init;

namespace MlPipelines.Engine.Tests.Nn;

/// <summary>Initialisers against their defining bounds and standard deviations (PyTorch's fan conventions).</summary>
[TestClass]
public sealed class InitializerTests
{
    private static (double Mean, double Std, double MaxAbs) Stats(Tensor t)
    {
        double mean = 0, sq = 0, max = 0;
        foreach (float v in t.Span)
        {
            mean += v;
            sq += (double)v * v;
            max = Math.Max(max, Math.Abs(v));
        }
        mean /= t.Length;
        return (mean, Math.Sqrt(sq / t.Length - mean * mean), max);
    }

    [TestMethod]
    public void Fans_FollowPyTorch()
    {
        Assert.AreEqual((3 * 25, 16 * 25), Initializers.Fans(new Tensor(16, 3, 5, 5)));
        Assert.AreEqual((400, 120), Initializers.Fans(new Tensor(120, 400)));
        Assert.ThrowsExactly<ArgumentException>(() => Initializers.Fans(new Tensor(5)));
    }

    [TestMethod]
    public void KaimingAndXavier_HaveTheirDefiningSpread()
    {
        var w = new Tensor(64, 32, 3, 3); // fan_in 288, fan_out 576
        var rng = new SeededRandom(1);
        Initializers.KaimingNormal(w, rng);
        Assert.AreEqual(Math.Sqrt(2.0 / 288), Stats(w).Std, 0.03 * Math.Sqrt(2.0 / 288));
        Initializers.KaimingNormal(w, rng, fanOut: true);
        Assert.AreEqual(Math.Sqrt(2.0 / 576), Stats(w).Std, 0.03 * Math.Sqrt(2.0 / 576));
        Initializers.KaimingUniform(w, rng);
        double bound = Math.Sqrt(2.0) * Math.Sqrt(3.0 / 288);
        Assert.IsLessThanOrEqualTo(bound, Stats(w).MaxAbs);
        Assert.AreEqual(bound / Math.Sqrt(3), Stats(w).Std, 0.03 * bound);
        Initializers.XavierUniform(w, rng);
        Assert.IsLessThanOrEqualTo(Math.Sqrt(6.0 / (288 + 576)), Stats(w).MaxAbs);
        Initializers.XavierNormal(w, rng, gain: 2);
        Assert.AreEqual(2 * Math.Sqrt(2.0 / 864), Stats(w).Std, 0.03 * 2 * Math.Sqrt(2.0 / 864));
        Assert.AreEqual(0, Stats(w).Mean, 0.01);
    }

    [TestMethod]
    public void PyTorchDefault_BoundsWeightsAndBiasByOneOverSqrtFanIn()
    {
        var w = new Tensor(10, 400);
        var b = new Tensor(10);
        Initializers.PyTorchDefault(w, b, new SeededRandom(2));
        double bound = 1 / Math.Sqrt(400);
        Assert.IsLessThanOrEqualTo(bound, Stats(w).MaxAbs);
        Assert.IsGreaterThan(bound * 0.9, Stats(w).MaxAbs);
        Assert.IsLessThanOrEqualTo(bound, Stats(b).MaxAbs);
        var again = new Tensor(10, 400);
        Initializers.PyTorchDefault(again, null, new SeededRandom(2));
        CollectionAssert.AreEqual(w.Span.ToArray(), again.Span.ToArray());
    }
}
