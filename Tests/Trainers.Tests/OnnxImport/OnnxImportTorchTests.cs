using System.Runtime.InteropServices;
using MlPipelines.Engine;
using MlPipelines.Engine.Nn;
using MlPipelines.Trainers.Onnx;

namespace MlPipelines.Trainers.Tests.OnnxImport;

/// <summary>
/// A model exported by PyTorch (torchvision mobilenet_v2 at width 0.25, 10 classes, 32x32; fixture written by
/// gen_torch_onnx.py with fixed random weights) imports, matches torch's logits within 1e-4 and fine-tunes.
/// </summary>
[TestClass]
public sealed class OnnxImportTorchTests
{
    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "OnnxImport", file);

    private static float[] Floats(string file) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Fixture(file))).ToArray();

    [TestMethod]
    public void TorchvisionMobileNetV2_MatchesTorch()
    {
        OnnxGraphModule graph = OnnxImporter.Load(Fixture("mobilenet_v2_w025.onnx"));
        graph.Eval();
        float[] x = Floats("mobilenet_v2_w025.input.bin"), expected = Floats("mobilenet_v2_w025.output.bin");
        Tensor y = graph.Forward(new Tensor(x, 2, 3, 32, 32), new StepContext { RecordForBackward = false });
        Assert.AreEqual("[2, 10]", y.ShapeText);
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], y.Span[i], 1e-4, $"logit {i}");
        Assert.IsGreaterThan(40, graph.NamedParameters().Count(), "conv weights and the classifier are trainable parameters");
        // Every ReLU6 is a Clip(0, 6) right behind its convolution and two Constant bounds, every residual Add right behind a
        // block's projecting convolution: all run in the convolution's epilogue.
        int clips = graph.NodeOpTypes.Count(t => t == "Clip"), adds = graph.NodeOpTypes.Count(t => t == "Add");
        Assert.IsGreaterThan(10, clips);
        Assert.IsGreaterThan(3, adds);
        Assert.AreEqual(3 * clips + adds, graph.FusedNodes);
    }

    [TestMethod]
    public void TorchvisionMobileNetV2_FineTuningStepLowersTheLoss()
    {
        OnnxGraphModule graph = OnnxImporter.Load(Fixture("mobilenet_v2_w025.onnx"));
        graph.Train();
        var x = new Tensor(Floats("mobilenet_v2_w025.input.bin"), 2, 3, 32, 32);
        float Loss(Tensor y, Tensor? grad)
        {
            float loss = 0;
            for (int i = 0; i < y.Length; i++)
            {
                float d = y.Span[i] - (i % 10 == 3 ? 1f : 0f);
                loss += d * d;
                if (grad is not null) grad.Span[i] = 2 * d;
            }
            return loss;
        }
        var ctx = new StepContext();
        Tensor y0 = graph.Forward(x, ctx);
        var dy = new Tensor(y0.Shape.ToArray());
        float before = Loss(y0, dy);
        graph.ZeroGrad();
        graph.Backward(dy, ctx);
        foreach (Parameter p in graph.Parameters())
            for (int i = 0; i < p.Value.Length; i++) p.Value.Span[i] -= 1e-3f * p.Grad.Span[i];
        ctx.BeginStep();
        float after = Loss(graph.Forward(x, ctx), null);
        Assert.IsLessThan(before, after, $"loss {before} -> {after}");
    }

    [TestMethod]
    public void TorchOpPatterns_MatchTorch_AndTrain()
    {
        OnnxGraphModule graph = OnnxImporter.Load(Fixture("torch_ops.onnx"));
        CollectionAssert.IsSubsetOf(new[] { "Pad", "Resize", "Shape", "Gather", "Unsqueeze", "Concat", "Reshape", "PRelu", "Pow", "ReduceMean" }, graph.NodeOpTypes.ToArray());
        graph.Eval();
        float[] x = Floats("torch_ops.input.bin"), expected = Floats("torch_ops.output.bin");
        var ctx = new StepContext();
        Tensor y = graph.Forward(new Tensor(x, 2, 3, 16, 16), ctx);
        Assert.AreEqual("[2, 5]", y.ShapeText);
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], y.Span[i], 1e-4, $"log-probability {i}");
        // Backward reaches the input and every parameter (PRelu slope, LayerNorm affine, conv and linear weights).
        var dy = new Tensor(y.Shape.ToArray());
        dy.Fill(0.1f);
        graph.ZeroGrad();
        Tensor dx = graph.Backward(dy, ctx);
        Assert.AreEqual("[2, 3, 16, 16]", dx.ShapeText);
        foreach (var (name, p) in graph.NamedParameters())
            Assert.IsTrue(p.Grad.Span.ToArray().Any(v => v != 0), $"parameter {name} received no gradient");
    }
}
