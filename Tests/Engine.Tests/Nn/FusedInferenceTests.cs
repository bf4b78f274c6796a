using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Models;
using MlPipelines.Engine.Models.Zoo;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Tests.Nn;

/// <summary>
/// In pure inference a convolution applies its eval-mode batch norm and activation as it stores each output plane. The
/// fused path must give exactly the bits of running the layers one by one, which is what a step that records for
/// backward still does.
/// </summary>
[TestClass]
public sealed class FusedInferenceTests
{
    public static IEnumerable<object[]> Models() =>
    [
        ["resnet20", 28],            // basic blocks (3x3 on the shifted grid, residual sums fused), 1x1 stride-2 projections (unfolded) in a Sequential
        ["resnet50", 64],            // bottlenecks (residual sums fused), 7x7 stride-2 stem
        ["resnet18", 128],           // basic blocks with Winograd 3x3s, residual sums fused
        ["vgg11-bn", 32],            // conv-BN-ReLU triples inside one Sequential
        ["mobilenet-v2", 32],        // ConvNormActivation with ReLU6, depthwise convolutions, a norm without activation
        ["mobilenet-v3-large", 32],  // hard-swish
        ["efficientnet-b0", 32],     // SiLU
    ];

    [TestMethod]
    [DynamicData(nameof(Models))]
    public void FusedInference_GivesTheBitsOfLayerByLayer(string name, int size)
    {
        Module model = name == "resnet20" ? ReferenceModels.ResNetCifar(20, 3, 10, seed: 1) : ModelZoo.Create(name, 3, 10, size, seed: 1);
        // Running statistics away from (0, 1), and affine parameters away from (1, 0), so every term of the map matters.
        var rng = new SeededRandom(7);
        foreach (var (_, m) in model.NamedModules())
            if (m is BatchNorm2d bn)
            {
                for (int c = 0; c < bn.Channels; c++)
                {
                    bn.RunningMean.Span[c] = rng.NextNormal() * 0.2f;
                    bn.RunningVar.Span[c] = 0.5f + rng.NextFloat();
                }
                foreach (var p in bn.Parameters())
                    for (int i = 0; i < p.Value.Length; i++) p.Value.Span[i] += rng.NextNormal() * 0.3f;
            }
        model.Eval();
        var x = new Tensor(3, 3, size, size);
        for (int i = 0; i < x.Length; i++) x.Span[i] = rng.NextNormal();

        foreach (int threads in new[] { 1, 2 })
        {
            var config = new ComputeConfig { DegreeOfParallelism = threads };
            var layered = new StepContext(config) { RecordForBackward = true };
            var fused = new StepContext(config) { RecordForBackward = false };
            layered.BeginStep();
            fused.BeginStep();
            float[] expected = model.Forward(x, layered).Span.ToArray(), actual = model.Forward(x, fused).Span.ToArray();
            Assert.IsTrue(expected.All(float.IsFinite), $"{name}: finite logits");
            CollectionAssert.AreEqual(expected, actual, $"{name}, {threads} thread(s): fused and layer-by-layer logits differ");
        }
    }

    [TestMethod]
    public void ResidualSum_IsFusedOnlyInPureInference_AndChecksItsShape()
    {
        var conv = new Conv2d(2, 3, 3, 1, 1, bias: false);
        var norm = new BatchNorm2d(3);
        norm.Eval();
        var x = new Tensor(1, 2, 5, 5);
        var inference = new StepContext(new ComputeConfig()) { RecordForBackward = false };
        inference.BeginStep();
        var e = Assert.ThrowsExactly<ArgumentException>(() => conv.ForwardResidual(x, inference, norm, new Tensor(1, 3, 5, 4), relu: true));
        StringAssert.Contains(e.Message, "[1, 3, 5, 4]");
        var training = new StepContext(new ComputeConfig()) { RecordForBackward = true };
        training.BeginStep();
        Assert.ThrowsExactly<InvalidOperationException>(() => conv.ForwardResidual(x, training, norm, new Tensor(1, 3, 5, 5), relu: true));
    }

    [TestMethod]
    public void InputScale_IsTakenOnlyByA1x1Convolution_WithOneScaleAChannel()
    {
        var inference = new StepContext(new ComputeConfig()) { RecordForBackward = false };
        inference.BeginStep();
        var x = new Tensor(2, 4, 5, 5);
        var pointwise = new Conv2d(4, 3, 1, bias: false);
        var e = Assert.ThrowsExactly<ArgumentException>(() => pointwise.ForwardScaled(x, new Tensor(2, 3, 1, 1), inference, null));
        StringAssert.Contains(e.Message, "8 input scales");
        Assert.ThrowsExactly<ArgumentException>(() => new Conv2d(4, 3, 3, 1, 1, bias: false).ForwardScaled(x, new Tensor(2, 4, 1, 1), inference, null), "a 3x3 kernel");
        var training = new StepContext(new ComputeConfig()) { RecordForBackward = true };
        training.BeginStep();
        Assert.ThrowsExactly<InvalidOperationException>(() => pointwise.ForwardScaled(x, new Tensor(2, 4, 1, 1), training, null), "training");
    }
}
