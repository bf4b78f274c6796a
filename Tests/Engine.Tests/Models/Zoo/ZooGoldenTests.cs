using MlPipelines.Engine.Compute;
using ActivationKind = MlPipelines.Engine.Kernels.ActivationKind;
using MlPipelines.Engine.Models.Zoo;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Tests.Models.Zoo;

/// <summary>
/// Our zoo models and blocks with torchvision's weights, loaded by name, against torchvision's outputs (fixtures from
/// gen_zoo.py with random weights and running statistics): eval-mode outputs, and for single blocks also train-mode
/// outputs and the gradients of sum(y * r) for the input and every parameter.
/// </summary>
[TestClass]
public sealed class ZooGoldenTests
{
    [TestMethod]
    public void MobileNetV2_WithTorchvisionWeights_GivesTorchvisionsLogits()
    {
        var fixture = ZooFixture.Tensors("zoo_mobilenet_v2_025.bin");
        Module model = ModelZoo.Create("mobilenet-v2-0.25", 3, 10, 32);
        LoadStateDictResult result = model.LoadStateDict(ZooFixture.State(fixture));
        Assert.IsTrue(result.IsClean, result.ToString());
        model.Eval();
        var ctx = new StepContext(ComputeConfig.SingleThreaded()) { RecordForBackward = false };
        Tensor logits = model.Forward(fixture["x"], ctx);
        AssertClose(fixture["logits"], logits, 1e-4, "logits");
    }

    [TestMethod]
    public void Bottleneck_MatchesTorchvision() =>
        CheckBlock("zoo_bottleneck.bin", new Bottleneck(8, 4, stride: 2, groups: 2, baseWidth: 32));

    [TestMethod]
    public void MBConv_MatchesTorchvision() =>
        CheckBlock("zoo_mbconv.bin", new MBConv(8, 8, 48, 5, 1));

    [TestMethod]
    public void Inception_MatchesTorchvision() =>
        CheckBlock("zoo_inception.bin", GoogLeNet.Inception(6, 4, 3, 5, 2, 3, 2, new SeededRandom(0)));

    [TestMethod]
    public void MobileNetV3Block_MatchesTorchvision() =>
        CheckBlock("zoo_mbv3_block.bin", new MBConv(8, 8, 24, 5, 1, new MBConvOptions
        {
            Activation = ActivationKind.HardSwish,
            SqueezeChannels = 8,
            SqueezeActivation = ActivationKind.Relu,
            SqueezeGate = ActivationKind.HardSigmoid,
            BatchNormEps = 1e-3f,
            BatchNormMomentum = 0.01f,
        }));

    [TestMethod]
    public void LocalResponseNorm_MatchesPyTorch() =>
        CheckBlock("zoo_lrn.bin", new LocalResponseNorm(4, 0.5f, 0.75f, 2f));

    [TestMethod]
    public void VisionTransformer_MatchesTorchvision() =>
        CheckBlock("zoo_vit.bin", new VisionTransformer(3, 32, 8, 2, 2, 16, 24, 5));

    private static void CheckBlock(string file, Module block)
    {
        var fixture = ZooFixture.Tensors(file);
        LoadStateDictResult result = block.LoadStateDict(ZooFixture.State(fixture));
        Assert.IsTrue(result.IsClean, result.ToString());
        var ctx = new StepContext(ComputeConfig.SingleThreaded());
        Tensor x = fixture["x"];

        block.Eval();
        AssertClose(fixture["y_eval"], block.Forward(x, ctx), 1e-4, "eval output");

        block.Train();
        ctx.BeginStep();
        block.ZeroGrad();
        AssertClose(fixture["y_train"], block.Forward(x, ctx), 1e-4, "train output");
        AssertClose(fixture["dx_train"], block.Backward(fixture["r"], ctx), 1e-4, "input gradient");
        int checkedGrads = 0;
        foreach (var (name, p) in block.NamedParameters())
        {
            AssertClose(fixture["grad." + name], p.Grad, 1e-4, "gradient of " + name);
            checkedGrads++;
        }
        Assert.AreEqual(fixture.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)), checkedGrads);
    }

    /// <summary>|a - e| within tolerance x max(1, max |e|) for every element, and the same shape.</summary>
    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        CollectionAssert.AreEqual(expected.Shape.ToArray(), actual.Shape.ToArray(), what + " shape");
        double scale = 1;
        foreach (float v in expected.Span) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected.Span[i], actual.Span[i], tolerance * scale, $"{what}[{i}]");
    }
}
