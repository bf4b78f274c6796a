using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Models.Zoo;
using MlPipelines.Engine.Nn;

namespace MlPipelines.Engine.Tests.Models.Zoo;

/// <summary>
/// Every zoo family that torchvision 0.14 has, as a whole model with torchvision's state-dict names, against torchvision
/// itself: both sides fill the same portable weights by key (<see cref="PortableWeights"/>), take the same portable input
/// [2, 3, S, S] in eval mode and back-propagate sum(logits * r); gen_zoo_models.py writes torchvision's logits and its
/// first-convolution weight gradient. Logits must agree within 1e-4 and the gradient within 1e-3, both relative to the
/// reference's largest magnitude.
/// </summary>
[TestClass]
public sealed class ZooModelTests
{
    private const int Batch = 2, Classes = 10;

    [TestMethod]
    public void PortableWeights_MatchThePythonGenerator_BitForBit()
    {
        var probes = ZooFixture.Tensors("zoo_portable.bin");
        Assert.HasCount(8, probes);
        foreach (var (key, expected) in probes)
        {
            Tensor actual = key == "input"
                ? PortableWeights.Generate(key, expected.Shape.ToArray(), 0, 1)
                : PortableWeights.Generate(key, expected.Shape.ToArray());
            for (int i = 0; i < expected.Length; i++)
                Assert.AreEqual(BitConverter.SingleToInt32Bits(expected.Span[i]), BitConverter.SingleToInt32Bits(actual.Span[i]), $"{key}[{i}]");
        }
    }

    [TestMethod]
    public void PortableWeights_FollowTheirSpreads()
    {
        Tensor conv = PortableWeights.Generate("conv.weight", [64, 3, 7, 7]);
        double bound = Math.Sqrt(6.0 / 147), sum = 0;
        foreach (float v in conv.Span)
        {
            Assert.IsLessThanOrEqualTo(bound, Math.Abs(v));
            sum += v * v;
        }
        Assert.AreEqual(bound * bound / 3, sum / conv.Length, 0.05 * bound * bound / 3, "variance of a uniform draw");
        foreach (float v in PortableWeights.Generate("bn.running_var", [1000]).Span) Assert.IsTrue(v is >= 0.75f and <= 1.25f, $"{v}");
        foreach (float v in PortableWeights.Generate("bn.weight", [1000]).Span) Assert.IsTrue(v is >= 0.8f and <= 1.2f, $"{v}");
        CollectionAssert.AreNotEqual(PortableWeights.Generate("a.bias", [16]).Span.ToArray(), PortableWeights.Generate("b.bias", [16]).Span.ToArray());
    }

    [TestMethod]
    [DataRow("alexnet", 63, 1.0)]
    [DataRow("vgg11", 32, 1.0)]
    [DataRow("vgg11-bn", 32, 1.0)]
    [DataRow("resnet18", 32, 1.0)]
    [DataRow("resnet50", 32, 1.0)]
    [DataRow("resnext50-32x4d", 32, 1.0)]
    [DataRow("mobilenet-v2", 32, 1.0)]
    [DataRow("mobilenet-v3-large", 32, 1.0)]
    [DataRow("mobilenet-v3-small", 32, 0.7)]
    [DataRow("efficientnet-b0", 32, 0.65)]
    [DataRow("googlenet", 32, 1.0)]
    [DataRow("vit-b16", 32, 1.0)]
    public void WholeModel_WithPortableWeights_MatchesTorchvision(string name, int size, double runningVar)
    {
        var fixture = ZooFixture.Tensors($"zoo_model_{name}.bin");
        Tensor expected = fixture["logits"];
        double spreadBetweenImages = 0, scale = 0;
        for (int k = 0; k < Classes; k++)
        {
            spreadBetweenImages = Math.Max(spreadBetweenImages, Math.Abs(expected[0, k] - expected[1, k]));
            scale = Math.Max(scale, Math.Max(Math.Abs(expected[0, k]), Math.Abs(expected[1, k])));
        }
        Assert.IsGreaterThan(0.05 * scale, spreadBetweenImages, "the reference logits hardly depend on the image: the fixture would not test the network");
        Module model = ModelZoo.Create(name, 3, Classes, size);
        PortableWeights.FillState(model, runningVar);
        model.Eval();

        var ctx = new StepContext(new ComputeConfig { DegreeOfParallelism = 2 });
        Tensor x = PortableWeights.Generate("input", [Batch, 3, size, size], 0, 1);
        Tensor logits = model.Forward(x, ctx);
        AssertClose(expected, logits, 1e-4, $"{name} logits");

        model.ZeroGrad();
        model.Backward(PortableWeights.Generate("r", [Batch, Classes], 0, 1), ctx);
        var (gradKey, expectedGrad) = fixture.Single(e => e.Key.StartsWith("grad.", StringComparison.Ordinal));
        string convKey = gradKey["grad.".Length..];
        var (firstName, first) = model.NamedParameters().First(p => p.Value.Value.Rank == 4);
        Assert.AreEqual(convKey, firstName, "the first convolution has torchvision's name");
        // The fixture holds the gradient of the first filters only where the whole would be large (ViT's patch embedding).
        var actualGrad = new Tensor(expectedGrad.Shape.ToArray());
        first.Grad.Span[..actualGrad.Length].CopyTo(actualGrad.Span);
        AssertClose(expectedGrad, actualGrad, 1e-3, $"{name} gradient of {convKey}");
    }

    /// <summary>|a - e| within tolerance x max |e| for every element, and the same shape.</summary>
    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        CollectionAssert.AreEqual(expected.Shape.ToArray(), actual.Shape.ToArray(), what + " shape");
        double scale = 0;
        foreach (float v in expected.Span) scale = Math.Max(scale, Math.Abs(v));
        Assert.IsGreaterThan(1e-6, scale, what + ": the reference is all but zero, which would prove nothing");
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected.Span[i], actual.Span[i], tolerance * scale, $"{what}[{i}] (scale {scale:g3})");
    }
}
