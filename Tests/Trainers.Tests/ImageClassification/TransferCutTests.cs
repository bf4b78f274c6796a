using MlPipelines.Data;
using MlPipelines.Engine;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Trainers.ImageClassification;
using MlPipelines.Trainers.Onnx;
using MlPipelines.Trainers.Training;
using static MlPipelines.Trainers.Tests.ImageClassification.TransferLearningTests;

namespace MlPipelines.Trainers.Tests.ImageClassification;

/// <summary>
/// Transfer learning's cut points (a named layer, before the classifier, inside an imported ONNX graph), its linear and MLP
/// heads, the saved cut's reload, the bottleneck cache's spill to disk, and batch norms kept in evaluation while frozen.
/// </summary>
[TestClass]
public sealed class TransferCutTests
{
    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "OnnxImport", file);

    private static ImageClassificationTransformer Fit(MLContext ctx, IDataView data, TransferOptions transfer, TrainingOptions? training = null, string? architecture = null) =>
        ctx.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            Architecture = architecture ?? "lenet5", Training = training ?? Quick(4), Transfer = transfer,
        }).Fit(data);

    private static float[] Column(IDataView data, string name)
    {
        var result = new List<float>();
        using var cursor = data.GetRowCursor([data.Schema[name]]);
        var getter = cursor.GetGetter<VBuffer<float>>(data.Schema[name]);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.AddRange(value.DenseValues());
        }
        return [.. result];
    }

    private static float[] Scores(ImageClassificationTransformer model, IDataView data) => Column(model.Transform(data), "Score");

    private static ImageClassificationTransformer SaveAndLoad(ImageClassificationTransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        new MLContext().Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        return (ImageClassificationTransformer)new MLContext().Model.Load(stream, out _);
    }

    private static Tensor Run(Module module, float[] input, params int[] shape)
    {
        module.Eval();
        var ctx = new StepContext { RecordForBackward = false };
        ctx.BeginStep();
        return module.Forward(new Tensor(input, shape), ctx).Clone();
    }

    /// <summary>Sample images of classes 5..9 as 3x32x32 (the gray image in every channel, padded by 2), for the 32x32 RGB ONNX fixture.</summary>
    private static IDataView Rgb32(string split, int count)
    {
        var source = Classes(split, count, 5);
        var gray = Column(source, "Features");
        int n = gray.Length / 784;
        var rgb = new float[n * 3 * 32 * 32];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 28; y++)
                    gray.AsSpan(i * 784 + y * 28, 28).CopyTo(rgb.AsSpan(((i * 3 + c) * 32 + y + 2) * 32 + 2, 28));
        var labels = new List<uint>();
        using (var cursor = source.GetRowCursor([source.Schema["Label"]]))
        {
            var getter = cursor.GetGetter<uint>(source.Schema["Label"]);
            uint label = 0;
            while (cursor.MoveNext())
            {
                getter(ref label);
                labels.Add(label);
            }
        }
        return new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 3, 32, 32), rgb)
            .AddKeyColumn("Label", [.. labels], FashionSample.ClassNames[5..])
            .ToDataView();
    }

    [TestMethod]
    public void CutAtNamedLayer_PoolsTheSpatialFeatures_IntoAnMlpHead_AsAPlainReferenceComputes_AndReloadsToIdenticalScores()
    {
        var pretrained = Pretrained();
        var model = Fit(new MLContext(6), Classes("train", 150, 5),
            new TransferOptions { From = pretrained, Mode = TransferMode.FeatureExtraction, CutAt = "pool2", Head = TransferHead.Mlp(32, 0.3f) });
        var net = (Sequential)model.Model;
        CollectionAssert.AreEqual(new[] { "backbone", "pool", "flatten", "head" }, net.Children.Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "conv1", "relu1", "pool1", "conv2", "relu2", "pool2" }, ((Sequential)net[0]).Children.Select(c => c.Name).ToArray(),
            "everything after pool2 is dropped");
        var state = model.Model.StateDict();
        foreach (string key in new[] { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias" })
            CollectionAssert.AreEqual(pretrained.Model.StateDict()[key].Span.ToArray(), state["backbone." + key].Span.ToArray(), key);

        // Reference: the pretrained layers up to pool2, a plain mean over the 5x5 positions, then the MLP head written out.
        var test = Classes("test", 40, 5);
        float[] pixels = Column(test, "Features");
        int n = pixels.Length / 784;
        var upToPool2 = new Sequential([.. ((Sequential)pretrained.Model).Modules.Take(6)]);
        float[] maps = Run(upToPool2, pixels, n, 1, 28, 28).Span.ToArray(); // [n, 16, 5, 5]
        float[] w1 = state["head.0.weight"].Span.ToArray(), b1 = state["head.0.bias"].Span.ToArray();
        float[] w2 = state["head.3.weight"].Span.ToArray(), b2 = state["head.3.bias"].Span.ToArray();
        Assert.HasCount(32 * 16, w1, "the head reads the 16 pooled channels");
        float[] scores = Scores(model, test);
        for (int i = 0; i < n; i++)
        {
            var f = new double[16];
            for (int c = 0; c < 16; c++)
                f[c] = Enumerable.Range(0, 25).Average(p => (double)maps[(i * 16 + c) * 25 + p]);
            var hidden = Enumerable.Range(0, 32).Select(h => Math.Max(0, b1[h] + Enumerable.Range(0, 16).Sum(c => w1[h * 16 + c] * f[c]))).ToArray();
            var logits = Enumerable.Range(0, 5).Select(k => b2[k] + Enumerable.Range(0, 32).Sum(h => w2[k * 32 + h] * hidden[h])).ToArray();
            double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
            for (int k = 0; k < 5; k++)
                Assert.AreEqual(Math.Exp(logits[k] - max) / sum, scores[i * 5 + k], 1e-5, $"image {i} class {k}");
        }

        var loaded = SaveAndLoad(model, test);
        CollectionAssert.AreEqual(scores, Scores(loaded, test), "the saved cut and head rebuild the same network");
        CollectionAssert.AreEqual(net.Children.Select(c => c.Name).ToArray(), ((Sequential)loaded.Model).Children.Select(c => c.Name).ToArray());
    }

    [TestMethod]
    public void UnknownCutLayer_FailsListingTheValidNames()
    {
        var pretrained = Pretrained();
        var e = Assert.ThrowsExactly<ArgumentException>(() => Fit(new MLContext(), Classes("train", 20, 5),
            new TransferOptions { From = pretrained, Mode = TransferMode.FeatureExtraction, CutAt = "conv9" }));
        StringAssert.Contains(e.Message, "'conv9'");
        foreach (string name in new[] { "conv1", "pool2", "flatten", "fc2", "relu4" }) StringAssert.Contains(e.Message, name);
    }

    [TestMethod]
    public void BeforeTheClassifier_WithAnMlpHead_FreezesTheBackbone_AndTrainsBothHeadLayersFirst()
    {
        var pretrained = Pretrained();
        Dictionary<string, float[]>? afterFrozen = null;
        var spy = new EpochEndSpy((state, _) => afterFrozen ??= Snapshot(state.Model));
        var model = Fit(new MLContext(7), Classes("train", 120, 5),
            new TransferOptions { From = pretrained, Mode = TransferMode.FineTune, FrozenEpochs = 1, Head = TransferHead.Mlp(16) },
            Quick(1) with { Callbacks = [spy] });
        var net = (Sequential)model.Model;
        Assert.AreEqual("relu4", ((Sequential)net[0]).Children[^1].Name, "cut right before fc3, the classifier");
        Assert.AreEqual(84, model.Model.StateDict()["head.0.weight"].Shape[1]);
        Assert.AreEqual(2, TransferLearning.HeadLayerCount(model.Model));
        var groups = TransferLearning.Groups(model.Model, 3, 0.1);
        CollectionAssert.AreEquivalent(net.Modules[^1].Parameters().ToArray(), groups[0].Parameters.ToArray(), "the whole MLP is the head group");

        var before = Snapshot(pretrained.Model);
        foreach (var (key, values) in afterFrozen!.Where(kv => kv.Key.StartsWith("backbone.", StringComparison.Ordinal)))
            CollectionAssert.AreEqual(before[key["backbone.".Length..]], values, $"{key} is frozen in the first phase");
        var initial = TransferNetwork.Create("lenet5", new ArchitectureInput(1, 28, 28, 5, 4), model.Cuts).StateDict();
        CollectionAssert.AreNotEqual(initial["head.0.weight"].Span.ToArray(), afterFrozen!["head.0.weight"], "the hidden layer trains in the frozen phase");
    }

    [TestMethod]
    public void TransferHead_ParsesTheCommandLineForms_AndRejectsOthers()
    {
        Assert.AreEqual(TransferHead.Linear, TransferHead.Parse("linear"));
        Assert.AreEqual(TransferHead.Mlp(128, 0.2f), TransferHead.Parse("mlp:128"));
        Assert.AreEqual(TransferHead.Mlp(64, 0.5f), TransferHead.Parse("mlp:64:0.5"));
        foreach (string bad in new[] { "", "mlp", "mlp:0", "mlp:-3", "mlp:8:1.5", "conv", "mlp:8:x" })
            Assert.ThrowsExactly<FormatException>(() => TransferHead.Parse(bad), bad);
    }

    [TestMethod]
    public void ImportedOnnx_BeforeTheClassifier_RemovesItsGemm_AndTheNewHeadReadsWhatTheGemmRead()
    {
        string name = "onnx-mnv2-" + Guid.NewGuid().ToString("N")[..8];
        ImageClassificationArchitectures.RegisterOnnx(name, Fixture("mobilenet_v2_w025.onnx"));
        var train = Rgb32("train", 60);
        var model = Fit(new MLContext(8), train, new TransferOptions { Mode = TransferMode.FeatureExtraction }, Quick(3), name);
        var net = (Sequential)model.Model;
        CollectionAssert.AreEqual(new[] { "backbone", "flatten", "head" }, net.Children.Select(c => c.Name).ToArray(), "the features are already pooled");
        var graph = (OnnxGraphModule)((Sequential)net[0])[0];
        Assert.DoesNotContain("Gemm", graph.NodeOpTypes.ToArray());
        Assert.AreEqual("Flatten", graph.NodeOpTypes[^1]);

        // The cut graph's output is exactly what the imported classifier read: the full graph's logits are its Gemm of it.
        var full = OnnxImporter.Load(Fixture("mobilenet_v2_w025.onnx"));
        var fullState = full.StateDict();
        float[] w = fullState["classifier.1.weight"].Span.ToArray(), b = fullState["classifier.1.bias"].Span.ToArray();
        int classes = b.Length, width = w.Length / classes;
        Assert.AreEqual(width, model.Model.StateDict()["head.weight"].Shape[1]);
        float[] x = Column(train, "Features")[..(4 * 3 * 32 * 32)];
        float[] logits = Run(full, x, 4, 3, 32, 32).Span.ToArray();
        float[] features = Run(graph, x, 4, 3, 32, 32).Span.ToArray();
        Assert.HasCount(4 * width, features);
        for (int i = 0; i < 4; i++)
            for (int k = 0; k < classes; k++)
            {
                double expected = b[k] + Enumerable.Range(0, width).Sum(j => (double)w[k * width + j] * features[i * width + j]);
                Assert.AreEqual(expected, logits[i * classes + k], 1e-4 * Math.Max(1, Math.Abs(expected)), $"image {i} logit {k}");
            }
        foreach (var (key, tensor) in graph.StateDict())
            CollectionAssert.AreEqual(fullState[key].Span.ToArray(), tensor.Span.ToArray(), $"{key} stays as imported");

        var test = Rgb32("test", 20);
        CollectionAssert.AreEqual(Scores(model, test), Scores(SaveAndLoad(model, test), test));
    }

    [TestMethod]
    public void ImportedOnnx_CutsAtANodeOrValueName_PoolingSpatialValues_AndUnknownNamesListTheGraphs()
    {
        string name = "onnx-mnv2-" + Guid.NewGuid().ToString("N")[..8];
        ImageClassificationArchitectures.RegisterOnnx(name, Fixture("mobilenet_v2_w025.onnx"));
        var train = Rgb32("train", 20);
        const string Spatial = "/features/features.13/Add_output_0"; // [N, 24, 2, 2] at 32x32
        var atValue = Fit(new MLContext(9), train, new TransferOptions { Mode = TransferMode.FeatureExtraction, CutAt = Spatial }, Quick(1), name);
        var atNode = Fit(new MLContext(9), train, new TransferOptions { Mode = TransferMode.FeatureExtraction, CutAt = "/GlobalAveragePool" }, Quick(1), name);
        CollectionAssert.AreEqual(new[] { "backbone", "pool", "flatten", "head" }, ((Sequential)atValue.Model).Children.Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "backbone", "flatten", "head" }, ((Sequential)atNode.Model).Children.Select(c => c.Name).ToArray(), "1x1 features need no pooling");
        var valueGraph = (OnnxGraphModule)((Sequential)((Sequential)atValue.Model)[0])[0];
        Assert.AreEqual("Add", valueGraph.NodeOpTypes[^1]);
        Assert.AreEqual("GlobalAveragePool", ((OnnxGraphModule)((Sequential)((Sequential)atNode.Model)[0])[0]).NodeOpTypes[^1]);
        Assert.AreEqual(1280, atNode.Model.StateDict()["head.weight"].Shape[1]);

        // Reference for the spatial cut: the graph's value, a plain mean over its 2x2 positions, the linear head, softmax.
        var test = Rgb32("test", 10);
        float[] x = Column(test, "Features");
        int n = x.Length / (3 * 32 * 32);
        float[] maps = Run(valueGraph, x, n, 3, 32, 32).Span.ToArray();
        Assert.HasCount(n * 24 * 4, maps);
        var state = atValue.Model.StateDict();
        float[] w = state["head.weight"].Span.ToArray(), b = state["head.bias"].Span.ToArray();
        Assert.HasCount(5 * 24, w);
        float[] scores = Scores(atValue, test);
        for (int i = 0; i < n; i++)
        {
            var logits = Enumerable.Range(0, 5).Select(k => b[k] + Enumerable.Range(0, 24).Sum(c => w[k * 24 + c] * Enumerable.Range(0, 4).Average(p => (double)maps[(i * 24 + c) * 4 + p]))).ToArray();
            double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
            for (int k = 0; k < 5; k++) Assert.AreEqual(Math.Exp(logits[k] - max) / sum, scores[i * 5 + k], 1e-5, $"image {i} class {k}");
        }
        CollectionAssert.AreEqual(scores, Scores(SaveAndLoad(atValue, test), test));

        var e = Assert.ThrowsExactly<ArgumentException>(() => Fit(new MLContext(), train,
            new TransferOptions { Mode = TransferMode.FeatureExtraction, CutAt = "/NoSuchNode" }, Quick(1), name));
        StringAssert.Contains(e.Message, "'/NoSuchNode'");
        StringAssert.Contains(e.Message, "/GlobalAveragePool");
    }

    [TestMethod]
    public void FeatureCache_SpilledToDisk_GivesTheSameModelBitForBit_AndTheFileGoesAfterwards()
    {
        var pretrained = Pretrained();
        var train = Classes("train", 150, 5);
        var test = Classes("test", 40, 5);
        string folder = Path.Combine(Path.GetTempPath(), "mlp-cache-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var inMemory = Fit(new MLContext(10), train, new TransferOptions { From = pretrained, Mode = TransferMode.FeatureExtraction, FeatureCacheDirectory = folder });
            Assert.IsFalse(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any(), "1 GiB holds these features: nothing spilled");

            string[]? during = null;
            long spillBytes = 0;
            var logs = new List<string>();
            var ctx = new MLContext(10);
            ctx.Log += (_, e) => logs.Add(e.RawMessage);
            var spilled = Fit(ctx, train,
                new TransferOptions { From = pretrained, Mode = TransferMode.FeatureExtraction, FeatureCacheBytes = 1000, FeatureCacheDirectory = folder },
                Quick(4) with { Callbacks = [new TrainBeginSpy(_ =>
                {
                    during = Directory.GetFiles(folder);
                    spillBytes = during.Sum(f => new FileInfo(f).Length);
                })] });
            Assert.HasCount(1, during!, "the features were spilled to one file while the head trained");
            Assert.AreEqual(Column(train, "Features").Length / 784 * 84L * sizeof(float), spillBytes, "84 features (fc2's outputs) per image, as floats");
            Assert.IsEmpty(Directory.GetFiles(folder), "the spill file is deleted when training ends");
            var a = Snapshot(inMemory.Model);
            foreach (var (key, values) in Snapshot(spilled.Model)) CollectionAssert.AreEqual(a[key], values, key);
            CollectionAssert.AreEqual(Scores(inMemory, test), Scores(spilled, test));
            Assert.IsTrue(logs.Any(l => l.Contains($"features of the training images: {Column(train, "Features").Length / 784}/", StringComparison.Ordinal)), "progress is reported");
            Assert.IsTrue(logs.Any(l => l.Contains("spilled", StringComparison.Ordinal)));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void FeatureCache_SpillFile_IsDeletedOnAnExceptionAndOnCancellation()
    {
        var pretrained = Pretrained();
        var train = Classes("train", 60, 5);
        string folder = Path.Combine(Path.GetTempPath(), "mlp-cache-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var transfer = new TransferOptions { From = pretrained, Mode = TransferMode.FeatureExtraction, FeatureCacheBytes = 0, FeatureCacheDirectory = folder };
            bool sawFile = false;
            var failing = new EpochEndSpy((_, _) =>
            {
                sawFile = Directory.GetFiles(folder).Length == 1;
                throw new InvalidTimeZoneException("stop");
            });
            Assert.ThrowsExactly<InvalidTimeZoneException>(() => Fit(new MLContext(11), train, transfer, Quick(3) with { Callbacks = [failing] }));
            Assert.IsTrue(sawFile);
            Assert.IsEmpty(Directory.GetFiles(folder), "deleted after an exception");

            using var cancel = new CancellationTokenSource();
            sawFile = false;
            var cancelling = new EpochEndSpy((_, _) =>
            {
                sawFile = Directory.GetFiles(folder).Length == 1;
                cancel.Cancel();
            });
            Assert.ThrowsExactly<OperationCanceledException>(() => new MLContext(11).MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
            {
                Training = Quick(3) with { Callbacks = [cancelling] }, Transfer = transfer, CancellationToken = cancel.Token,
            }).Fit(train));
            Assert.IsTrue(sawFile);
            Assert.IsEmpty(Directory.GetFiles(folder), "deleted after cancellation");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void FrozenBatchNorms_KeepTheirStatistics_InBothFineTuningPhases_AndBelowFreezeTo()
    {
        var pretrained = Pretrained("small-vgg");
        var norms = TransferLearning.Layers(pretrained.Model).Select((l, i) => (l.Name, l.Module, Index: i)).Where(l => l.Module is BatchNorm2d).ToList();
        Assert.IsGreaterThanOrEqualTo(2, norms.Count);
        var (frozenNorm, _, frozenIndex) = norms[0];
        string trainedNorm = norms[^1].Name;
        var before = Snapshot(pretrained.Model);
        Dictionary<string, float[]>? afterFrozen = null;
        var spy = new EpochEndSpy((state, _) => afterFrozen ??= Snapshot(state.Model));
        var model = Fit(new MLContext(12), Classes("train", 100, 5),
            new TransferOptions { From = pretrained, Mode = TransferMode.FineTune, FrozenEpochs = 1, FreezeTo = frozenIndex + 1 },
            Quick(1) with { Callbacks = [spy] }, "small-vgg");
        foreach (var (norm, _, _) in norms)
            foreach (string stat in new[] { ".running_mean", ".running_var" })
                CollectionAssert.AreEqual(before[norm + stat], afterFrozen![norm + stat], $"{norm}{stat} while the backbone is frozen");
        var final = Snapshot(model.Model);
        CollectionAssert.AreEqual(before[frozenNorm + ".running_mean"], final[frozenNorm + ".running_mean"], "below FreezeTo the batch norm stays in evaluation");
        CollectionAssert.AreNotEqual(before[trainedNorm + ".running_mean"], final[trainedNorm + ".running_mean"], "a trained batch norm updates its statistics");
    }

    [TestMethod]
    public void FrozenImportedBatchNorms_KeepTheirStatistics_WhileTheHeadTrains()
    {
        var source = ImageClassificationArchitectures.Create("small-vgg", new ArchitectureInput(1, 28, 28, 5, 3));
        string onnx = Path.Combine(Path.GetTempPath(), $"mlp-bn-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExporter.Export(source, new OnnxExportOptions { InputShape = (1, 28, 28) }, onnx);
            string name = "onnx-vgg-" + Guid.NewGuid().ToString("N")[..8];
            ImageClassificationArchitectures.RegisterOnnx(name, onnx);
            Dictionary<string, float[]>? afterFrozen = null;
            var spy = new EpochEndSpy((state, _) => afterFrozen ??= Snapshot(state.Model));
            var model = Fit(new MLContext(13), Classes("train", 100, 5), new TransferOptions { Mode = TransferMode.FineTune, FrozenEpochs = 1 },
                Quick(1) with { Callbacks = [spy] }, name);
            var graph = (OnnxGraphModule)((Sequential)((Sequential)model.Model)[0])[0];
            Assert.Contains("BatchNormalization", graph.NodeOpTypes.ToArray());
            var imported = OnnxImporter.Load(onnx).StateDict();
            var statistics = afterFrozen!.Keys.Where(k => k.EndsWith("running_mean", StringComparison.Ordinal) || k.EndsWith("running_var", StringComparison.Ordinal)).ToList();
            Assert.IsNotEmpty(statistics);
            foreach (string key in statistics)
                CollectionAssert.AreEqual(imported[key["backbone.body.".Length..]].Span.ToArray(), afterFrozen[key], $"{key} while the imported body is frozen");
            var final = Snapshot(model.Model);
            Assert.IsTrue(statistics.Any(k => !final[k].SequenceEqual(afterFrozen[k])), "unfrozen, the imported batch norms use and update batch statistics");
        }
        finally
        {
            File.Delete(onnx);
        }
    }
}
