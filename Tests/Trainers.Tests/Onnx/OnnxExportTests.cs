using System.Diagnostics;
using System.Runtime.InteropServices;
using MlPipelines.Engine;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Models;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Testing;
using MlPipelines.Trainers.Onnx;
using MlPipelines.Trainers.Onnx.Proto;

namespace MlPipelines.Trainers.Tests.Onnx;

/// <summary>
/// Exported models run in ONNX Runtime (onnxruntime-node from npm, installed by test.sh into .tools/ort) and give our
/// outputs within 1e-4 on the same inputs, with a dynamic batch dimension.
/// </summary>
[TestClass]
public sealed class OnnxExportTests
{
    private static string OrtModules =>
        Environment.GetEnvironmentVariable("MLP_ORT_NODE_MODULES") is { Length: > 0 } env ? env : Path.Combine(TestPaths.RepositoryRoot, ".tools", "ort", "node_modules");

    /// <summary>Every activation kind, pooling kind, BN, LayerNorm-free conv net with a residual block: what the exporter must cover.</summary>
    private static Sequential KitchenSink(ulong seed)
    {
        var init = new SeededRandom(seed);
        return new Sequential()
            .Add("conv", new Conv2d(3, 8, 3, 1, 1, init: init)).Add("bn", new BatchNorm2d(8)).Add("relu6", new Relu6())
            .Add("block", new BasicBlock(8, 16, 2, init)).Add("leaky", new LeakyRelu(0.1f))
            .Add("dw", new Conv2d(16, 16, (3, 3), (1, 1), Padding2d.All(2), (2, 2), groups: 16, init: init)).Add("gelu", new Gelu())
            .Add("avg", new AvgPool2d(3, 1, 1, countIncludePad: false)).Add("silu", new Silu()).Add("hswish", new HardSwish())
            .Add("max", new MaxPool2d(2, ceilMode: true)).Add("hsig", new HardSigmoid()).Add("tanh", new Tanh()).Add("sig", new Sigmoid())
            .Add("gap", new GlobalAvgPool2d()).Add("drop", new Dropout(0.3f)).Add("fc", new Linear(16, 5, init: init));
    }

    private static float[] Ours(Module model, float[] input, int[] shape)
    {
        model.Eval();
        var ctx = new StepContext(new ComputeConfig { DegreeOfParallelism = 1 }) { RecordForBackward = false };
        return model.Forward(new Tensor((float[])input.Clone(), shape), ctx).Span.ToArray();
    }

    private static float[] RunOrt(string modelPath, float[] input, int[] shape)
    {
        Assert.IsTrue(Directory.Exists(Path.Combine(OrtModules, "onnxruntime-node")),
            $"onnxruntime-node is not installed in {OrtModules}; ./test.sh installs it (npm install --ignore-scripts onnxruntime-node).");
        string dir = TestPaths.NewTempFolder("ort");
        try
        {
            string inputPath = Path.Combine(dir, "input.bin"), outputPath = Path.Combine(dir, "output.bin");
            File.WriteAllBytes(inputPath, MemoryMarshal.AsBytes(input.AsSpan()).ToArray());
            var info = new ProcessStartInfo("node") { RedirectStandardError = true, RedirectStandardOutput = true };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Onnx", "run_ort.js"));
            foreach (string a in new[] { modelPath, inputPath, string.Join(',', shape), outputPath }) info.ArgumentList.Add(a);
            info.Environment["NODE_PATH"] = OrtModules;
            using var node = Process.Start(info)!;
            string err = node.StandardError.ReadToEnd();
            node.StandardOutput.ReadToEnd();
            node.WaitForExit();
            Assert.AreEqual(0, node.ExitCode, $"onnxruntime failed: {err}");
            return MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(outputPath)).ToArray();
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static void AssertMatchesOrt(Module model, int c, int h, int w, int batch, ulong seed, bool softmax = false)
    {
        BatchNormRandomiser.Randomise(model, seed);
        var rng = new SeededRandom(seed + 1);
        var input = new float[batch * c * h * w];
        foreach (ref float v in input.AsSpan()) v = rng.NextFloat(-2, 2);
        int[] shape = [batch, c, h, w];
        float[] expected = Ours(model, input, shape);
        if (softmax)
        {
            int k = expected.Length / batch;
            for (int i = 0; i < batch; i++) MlPipelines.Trainers.Training.SupervisedTrainer.SoftmaxRow(expected.AsSpan(i * k, k).ToArray(), expected.AsSpan(i * k, k));
        }
        string path = Path.Combine(Path.GetTempPath(), $"mlp-export-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExporter.Export(model, new OnnxExportOptions { InputShape = (c, h, w), IncludeSoftmax = softmax, ClassNames = ["a", "b"] }, path);
            float[] actual = RunOrt(path, input, shape);
            Assert.HasCount(expected.Length, actual);
            for (int i = 0; i < expected.Length; i++)
                Assert.AreEqual(expected[i], actual[i], 1e-4 + 1e-4 * Math.Abs(expected[i]), $"{model.GetType().Name} output {i}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void KitchenSink_MatchesOnnxRuntime_AtTwoBatchSizes()
    {
        AssertMatchesOrt(KitchenSink(1), 3, 12, 12, batch: 3, seed: 2);
        AssertMatchesOrt(KitchenSink(1), 3, 12, 12, batch: 1, seed: 3);
    }

    [TestMethod]
    public void ReferenceModels_MatchOnnxRuntime()
    {
        AssertMatchesOrt(ReferenceModels.LeNet5(1, 10, 28, 4), 1, 28, 28, batch: 2, seed: 5, softmax: true);
        AssertMatchesOrt(ReferenceModels.SmallVgg(3, 7, 16, 6), 3, 16, 16, batch: 2, seed: 7);
        AssertMatchesOrt(ReferenceModels.ResNetCifar(20, 1, 10, 8), 1, 16, 16, batch: 2, seed: 9);
    }

    /// <summary>The zoo's building blocks: grouped bottleneck, inverted residual, MBConv with squeeze-excitation, inception-style concat, LRN, adaptive pooling.</summary>
    private static Sequential ZooBlocks(ulong seed)
    {
        var init = new SeededRandom(seed);
        return new Sequential()
            .Add("stem", new Conv2d(3, 16, 3, 1, 1, init: init)).Add("lrn", new LocalResponseNorm(5, 1e-2f, 0.75f, 2f))
            .Add("bottleneck", new Bottleneck(16, 8, 2, groups: 4, baseWidth: 16, init: init))
            .Add("inverted", new InvertedResidual(32, 32, 1, 4, init))
            .Add("mbconv", new MBConv(32, 32, 64, 3, 1, 0.2f, init: init))
            .Add("concat", new ChannelConcat(("a", new Conv2d(32, 8, 1, init: init)), ("b", new Sequential(new Conv2d(32, 8, 3, 1, 1, init: init), new Relu()))))
            .Add("residual", new Residual("main", new Sequential(new Conv2d(16, 16, 3, 1, 1, init: init), new BatchNorm2d(16))))
            .Add("adaptive", new AdaptiveAvgPool2d(2)).Add("flatten", new Flatten()).Add("fc", new Linear(64, 6, init: init));
    }

    [TestMethod]
    public void ZooBlocks_MatchOnnxRuntime() => AssertMatchesOrt(ZooBlocks(3), 3, 16, 16, batch: 2, seed: 11);

    [TestMethod]
    public void ZooModels_MatchOnnxRuntime()
    {
        AssertMatchesOrt(MlPipelines.Engine.Models.Zoo.ModelZoo.Create("mobilenet-v2-0.35", 3, 10, 32, 1), 3, 32, 32, batch: 2, seed: 12);
        AssertMatchesOrt(MlPipelines.Engine.Models.Zoo.ModelZoo.Create("efficientnet-b0", 3, 10, 32, 2), 3, 32, 32, batch: 1, seed: 13);
        AssertMatchesOrt(MlPipelines.Engine.Models.Zoo.ModelZoo.Create("resnet18", 1, 4, 32, 3), 1, 32, 32, batch: 2, seed: 14);
    }

    [TestMethod]
    public void Metadata_RecordsShapeClassesAndPreprocessing_AndTheBatchIsDynamic()
    {
        var model = ReferenceModels.LeNet5(seed: 1);
        var proto = OnnxExporter.Build(model, new OnnxExportOptions
        {
            InputShape = (1, 28, 28), ClassNames = ["cat", "dog \"quoted\""], Mean = [0.5f], Std = [0.25f], IncludeSoftmax = true,
        });
        var meta = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.AreEqual("[1,28,28]", meta["input_shape"]);
        CollectionAssert.AreEqual(new[] { "cat", "dog \"quoted\"" }, System.Text.Json.JsonSerializer.Deserialize<string[]>(meta["class_names"]));
        Assert.AreEqual("probabilities", meta["output"]);
        Assert.AreEqual("N", proto.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.AreEqual(17, proto.OpsetImport.Single().Version);
        // Round trip through the wire format keeps every initializer's bytes.
        var parsed = ModelProto.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(proto));
        Assert.AreEqual(proto.Graph.Initializer.Count, parsed.Graph.Initializer.Count);
        var conv1 = parsed.Graph.Initializer.Single(t => t.Name == "model.conv1.weight");
        CollectionAssert.AreEqual(model.StateDict()["conv1.weight"].Span.ToArray(), MemoryMarshal.Cast<byte, float>(conv1.RawData.Span).ToArray());
    }

    [TestMethod]
    public void ModulesWithoutAnEmitter_FailNamingTheirPath()
    {
        var model = new Sequential().Add("head", new Sequential().Add("odd", new Unexportable()));
        var ex = Assert.ThrowsExactly<NotSupportedException>(() => OnnxExporter.Build(model, new OnnxExportOptions { InputShape = (1, 4, 4) }));
        StringAssert.Contains(ex.Message, "model.head.odd");
        StringAssert.Contains(ex.Message, nameof(Unexportable));
    }

    private sealed class Unexportable : Module
    {
        public override Tensor Forward(Tensor input, StepContext context) => input;

        public override Tensor Backward(Tensor outputGradient, StepContext context) => outputGradient;

        public override int[] OutputShape(int[] inputShape) => inputShape;
    }
}
