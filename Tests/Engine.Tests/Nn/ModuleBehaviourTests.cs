using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Models;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Tests.Nn;

[TestClass]
public sealed class ModuleBehaviourTests
{
    [TestMethod]
    public void Summary_CountsFollowThePublishedFormulas()
    {
        // LeNet-5 at 28x28x1, 10 classes: (5*5*1+1)*6 + (5*5*6+1)*16 + (400+1)*120 + (120+1)*84 + (84+1)*10.
        long lenet = (5 * 5 * 1 + 1) * 6 + (5 * 5 * 6 + 1) * 16 + (400 + 1) * 120 + (120 + 1) * 84 + (84 + 1) * 10;
        Assert.AreEqual(61_706, lenet);
        var summary = ModelSummary.Create(ReferenceModels.LeNet5(), 1, 1, 28, 28);
        Assert.AreEqual(lenet, summary.TotalParameters);
        var conv1 = summary.Rows.Single(r => r.Name == "conv1");
        CollectionAssert.AreEqual(new[] { 1, 6, 28, 28 }, conv1.OutputShape.ToArray()); // (28 - 5 + 2*2)/1 + 1
        var conv2 = summary.Rows.Single(r => r.Name == "conv2");
        CollectionAssert.AreEqual(new[] { 1, 16, 10, 10 }, conv2.OutputShape.ToArray()); // (14 - 5)/1 + 1
        Assert.AreEqual(28L * 28 * 6 * 25, conv1.MultiplyAdds);
        StringAssert.Contains(summary.ToString(), "61,706");

        Assert.AreEqual(870_826, ModelSummary.Create(ReferenceModels.SmallVgg(), 1, 1, 28, 28).TotalParameters);
        var resnet = ModelSummary.Create(ReferenceModels.ResNetCifar(20), 1, 1, 28, 28);
        Assert.AreEqual(272_186, resnet.TotalParameters);
        CollectionAssert.AreEqual(new[] { 1, 10 }, resnet.OutputShape.ToArray());
        // The anchors count 62.04 MFLOPs (2 per multiply-add) for ResNet-20 at 28x28.
        Assert.AreEqual(31.02e6, resnet.TotalMultiplyAdds, 0.02e6);

        // torchvision's resnet18 (3 channels, 1000 classes) has 11,689,512 parameters; the global pool takes any input >= 32.
        var resnet18 = ModelSummary.Create(ReferenceModels.ResNet18(), 1, 3, 32, 32);
        Assert.AreEqual(11_689_512, resnet18.TotalParameters);
        CollectionAssert.AreEqual(new[] { 1, 1000 }, resnet18.OutputShape.ToArray());
    }

    [TestMethod]
    public void StateDict_UsesDottedPyTorchKeys_AndRoundTrips()
    {
        var model = ReferenceModels.ResNetCifar(20, seed: 1);
        var keys = model.StateDict().Keys.ToList();
        CollectionAssert.Contains(keys, "stem.0.weight");
        CollectionAssert.Contains(keys, "layers.0.conv1.weight");
        CollectionAssert.Contains(keys, "layers.3.shortcut.0.weight");
        CollectionAssert.Contains(keys, "layers.8.bn2.running_var");
        CollectionAssert.Contains(keys, "stem.1.num_batches_tracked");
        CollectionAssert.Contains(keys, "fc.bias");

        var other = ReferenceModels.ResNetCifar(20, seed: 2);
        Assert.IsFalse(other.StateDict()["fc.weight"].Span.SequenceEqual(model.StateDict()["fc.weight"].Span));
        var result = other.LoadStateDict(model.StateDict().Clone());
        Assert.IsTrue(result.IsClean);
        foreach (var (k, v) in model.StateDict()) CollectionAssert.AreEqual(v.Span.ToArray(), other.StateDict()[k].Span.ToArray(), k);
    }

    [TestMethod]
    public void LoadStateDict_ReportsMissingUnexpectedAndMismatched()
    {
        var model = ReferenceModels.LeNet5();
        var state = model.StateDict().Clone();
        state.Remove("fc3.bias");
        state["extra.weight"] = new Tensor(2);
        state["fc1.weight"] = new Tensor(3, 3);
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => model.LoadStateDict(state));
        StringAssert.Contains(ex.Message, "fc3.bias");
        var result = model.LoadStateDict(state, strict: false);
        CollectionAssert.AreEqual(new[] { "fc3.bias" }, result.MissingKeys.ToArray());
        CollectionAssert.AreEqual(new[] { "extra.weight" }, result.UnexpectedKeys.ToArray());
        Assert.AreEqual(1, result.ShapeMismatches.Count);
        state.Version = 99;
        Assert.ThrowsExactly<InvalidDataException>(() => model.LoadStateDict(state, strict: false));
    }

    [TestMethod]
    public void TrainAndEval_DifferForBatchNormAndDropout()
    {
        var model = ReferenceModels.SmallVgg(seed: 3);
        var x = new Tensor(4, 1, 28, 28);
        var rng = new Random(1);
        for (int i = 0; i < x.Length; i++) x.Span[i] = (float)rng.NextDouble();
        var ctx = new StepContext(ComputeConfig.SingleThreaded());
        float[] train = model.Forward(x, ctx).Span.ToArray();
        model.Eval();
        ctx.BeginStep();
        float[] eval1 = model.Forward(x, ctx).Span.ToArray();
        ctx.BeginStep();
        float[] eval2 = model.Forward(x, ctx).Span.ToArray();
        CollectionAssert.AreEqual(eval1, eval2, "evaluation must be deterministic");
        CollectionAssert.AreNotEqual(train, eval1);
        var bn = (BatchNorm2d)((Sequential)model.Children[0].Value)[1];
        Assert.AreEqual(1f, bn.StateDict()["num_batches_tracked"].Span[0]);
    }

    [TestMethod]
    public void NoGradientInput_SkipsOnlyTheFirstLayersInputGradient()
    {
        // LeNet-5 twice on the same batch: once computing every gradient, once told that nobody reads the batch's gradient.
        var x = new Tensor(4, 1, 28, 28);
        var rng = new SeededRandom(3);
        for (int i = 0; i < x.Length; i++) x.Span[i] = rng.NextNormal();
        (float[][] Grads, float[] InputGrad) Run(bool skip)
        {
            var model = ReferenceModels.LeNet5();
            var ctx = new StepContext();
            ctx.BeginStep();
            if (skip) ctx.NoGradientInput = x;
            Tensor y = model.Forward(x, ctx);
            Tensor dy = ctx.Rent(y.Shape);
            dy.Fill(0.1f);
            Tensor dx = model.Backward(dy, ctx);
            return ([.. model.Parameters().Select(p => p.Grad.Span.ToArray())], dx.Span.ToArray());
        }
        var full = Run(false);
        var skipped = Run(true);
        for (int i = 0; i < full.Grads.Length; i++) CollectionAssert.AreEqual(full.Grads[i], skipped.Grads[i], $"parameter {i}");
        Assert.IsTrue(full.InputGrad.Any(v => v != 0), "the full run computes an input gradient");
        Assert.IsTrue(skipped.InputGrad.All(v => v == 0), "the skipped input gradient comes back as zeros");
    }

    [TestMethod]
    public void Freeze_StopsGradientsAndCountsAsNonTrainable()
    {
        var model = ReferenceModels.LeNet5();
        ((Sequential)model).Modules[0].Freeze();
        var summary = ModelSummary.Create(model, 1, 1, 28, 28);
        Assert.AreEqual(summary.TotalParameters - (5 * 5 + 1) * 6, summary.TrainableParameters);
    }

    [TestMethod]
    public void StepContext_RecyclesItsTensors()
    {
        var model = ReferenceModels.LeNet5();
        var ctx = new StepContext(ComputeConfig.SingleThreaded());
        var x = new Tensor(8, 1, 28, 28);
        Tensor first = model.Forward(x, ctx);
        ctx.BeginStep();
        Tensor second = model.Forward(x, ctx);
        Assert.AreSame(first, second);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            ctx.BeginStep();
            model.Forward(x, ctx);
        }
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 5;
        // Activations are recycled; what remains is a few shape arrays per layer (a few kilobytes against megabytes of activations).
        Assert.IsLessThan(8_192L, perStep, $"forward allocates {perStep} bytes per step");
    }
}
