using MlPipelines.Engine.Compute;
using ActivationKind = MlPipelines.Engine.Kernels.ActivationKind;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Tests.Nn;

/// <summary>Behaviour of the layers the model zoo added beyond their gradients (those are in ModuleGradientTests).</summary>
[TestClass]
public sealed class ZooLayerTests
{
    [TestMethod]
    public void AdaptiveAvgPool2d_UsesPyTorchsOverlappingBins()
    {
        // Rows 0..4 into 3 bins: [0, 2), [1, 4), [3, 5) (start floor(i*5/3), end ceil((i+1)*5/3)); one column into 2 bins repeats it.
        var x = new Tensor(new float[] { 1, 2, 3, 4, 5 }, 1, 1, 5, 1);
        var pool = new AdaptiveAvgPool2d(3, 2);
        Tensor y = pool.Forward(x, new StepContext());
        CollectionAssert.AreEqual(new[] { 1, 1, 3, 2 }, y.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { 1.5f, 1.5f, 3f, 3f, 4.5f, 4.5f }, y.Span.ToArray());
        // A 7x7 input to 7x7 is the identity (VGG at 224x224).
        var big = new Tensor(2, 3, 7, 7);
        for (int i = 0; i < big.Length; i++) big.Span[i] = i;
        CollectionAssert.AreEqual(big.Span.ToArray(), new AdaptiveAvgPool2d(7).Forward(big, new StepContext()).Span.ToArray());
    }

    [TestMethod]
    public void StochasticDepth_DropsWholeSamplesInTraining_AndIsTheIdentityInEvaluation()
    {
        var layer = new StochasticDepth(0.5f);
        var x = new Tensor(64, 3);
        x.Fill(1);
        var ctx = new StepContext(new ComputeConfig { Seed = 5 });
        Tensor y = layer.Forward(x, ctx);
        int dropped = 0;
        for (int n = 0; n < 64; n++)
        {
            float v = y[n, 0];
            Assert.IsTrue(v == 0 || v == 2, $"sample {n}: {v}");
            Assert.AreEqual(v, y[n, 2]);
            if (v == 0) dropped++;
        }
        Assert.IsTrue(dropped is > 16 and < 48, $"{dropped} of 64 dropped at p = 0.5");
        var dy = new Tensor(64, 3);
        dy.Fill(1);
        Tensor dx = layer.Backward(dy, ctx);
        for (int n = 0; n < 64; n++) Assert.AreEqual(y[n, 1], dx[n, 1], "backward applies the forward's mask");

        layer.Eval();
        Assert.AreSame(x, layer.Forward(x, ctx));
    }

    [TestMethod]
    public void ChannelConcat_StacksBranchOutputsAlongChannels_AndRejectsMismatchedSizes()
    {
        var join = new ChannelConcat(("a", new Identity()), ("b", new ActivationLayer(ActivationKind.Relu)));
        var x = new Tensor(new float[] { -1, 2, 3, -4 }, 2, 1, 1, 2);
        Tensor y = join.Forward(x, new StepContext());
        CollectionAssert.AreEqual(new[] { 2, 2, 1, 2 }, y.Shape.ToArray());
        CollectionAssert.AreEqual(new[] { -1f, 2, 0, 2, 3, -4, 3, 0 }, y.Span.ToArray());
        var bad = new ChannelConcat(("a", new Identity()), ("b", new MaxPool2d(2)));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => bad.OutputShape([1, 1, 4, 4]));
        StringAssert.Contains(ex.Message, "ChannelConcat");
    }

    [TestMethod]
    public void Residuals_AreAddedOnlyWhenShapesAgree()
    {
        Assert.IsTrue(new InvertedResidual(8, 8, 1, 6).UsesResidual);
        Assert.IsFalse(new InvertedResidual(8, 8, 2, 6).UsesResidual);
        Assert.IsFalse(new InvertedResidual(8, 16, 1, 6).UsesResidual);
        Assert.IsTrue(new MBConv(8, 8, 48, 3, 1).UsesResidual);
        Assert.IsFalse(new MBConv(8, 16, 48, 3, 1).UsesResidual);
        // Expansion 1 has no expansion convolution (MobileNetV2's first block): conv.0 is the depthwise one.
        var first = new InvertedResidual(32, 16, 1, 1);
        Assert.AreEqual(32, ((Conv2d)first.NamedModules().Single(m => m.Name == "conv.0.0").Value).Groups);
        var bottleneck = new Bottleneck(256, 64);
        Assert.AreEqual(64, bottleneck.Width);
        Assert.IsFalse(bottleneck.NamedModules().Any(m => m.Name == "downsample"), "identity shortcut at 256 -> 256");
        Assert.AreEqual(4 * 32, new Bottleneck(64, 64, groups: 32, baseWidth: 4).Width); // ResNeXt-50 32x4d layer1: 128
    }
}
