using MlPipelines.Data;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Trainers.ImageClassification;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Trainers.Tests.ImageClassification;

/// <summary>Pretrained weights in, frozen backbones, new heads, fine-tuning with discriminative rates, continued training.</summary>
[TestClass]
public sealed class TransferLearningTests
{
    private static readonly string[] FirstHalf = FashionSample.ClassNames[..5];
    private static readonly string[] SecondHalf = FashionSample.ClassNames[5..];

    /// <summary>Sample images of classes [from, from + 5) relabelled 0..4, with those five class names.</summary>
    internal static IDataView Classes(string split, int count, int from)
    {
        var (pixels, labels) = FashionSample.Read(split, count * 2);
        var keep = Enumerable.Range(0, labels.Length).Where(i => labels[i] >= from && labels[i] < from + 5).Take(count).ToArray();
        return new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28), [.. keep.SelectMany(i => pixels[(i * 784)..((i + 1) * 784)])])
            .AddKeyColumn("Label", [.. keep.Select(i => (uint)(labels[i] - from + 1))], from == 0 ? FirstHalf : SecondHalf)
            .ToDataView();
    }

    internal static TrainingOptions Quick(int epochs) => new() { Epochs = epochs, BatchSize = 32, LearningRate = 0.05, Seed = 4, DegreeOfParallelism = 2 };

    internal static ImageClassificationTransformer Pretrained(string arch = "lenet5") =>
        new MLContext(1).MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options { Architecture = arch, Training = Quick(3) })
            .Fit(Classes("train", 500, 0));

    internal static Dictionary<string, float[]> Snapshot(Module m) => m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Span.ToArray());

    internal static double Accuracy(ImageClassificationTransformer model, IDataView test)
    {
        var scored = model.Transform(test);
        using var cursor = scored.GetRowCursor([scored.Schema["Label"], scored.Schema["PredictedLabel"]]);
        var label = cursor.GetGetter<uint>(scored.Schema["Label"]);
        var predicted = cursor.GetGetter<uint>(scored.Schema["PredictedLabel"]);
        uint l = 0, p = 0;
        int right = 0, all = 0;
        while (cursor.MoveNext())
        {
            label(ref l);
            predicted(ref p);
            all++;
            if (l == p) right++;
        }
        return (double)right / all;
    }

    [TestMethod]
    public void FeatureExtraction_TrainsOnlyTheNewHead_AndLearnsTheNewClasses()
    {
        var pretrained = Pretrained();
        var before = Snapshot(pretrained.Model);
        var model = new MLContext(2).MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            Training = Quick(15), Transfer = new TransferOptions { From = pretrained, Mode = TransferMode.FeatureExtraction },
        }).Fit(Classes("train", 150, 5));
        CollectionAssert.AreEqual(SecondHalf, model.ClassNames.ToArray());
        var after = Snapshot(model.Model);
        foreach (var (key, values) in after.Where(kv => !kv.Key.StartsWith("fc3.", StringComparison.Ordinal)))
            CollectionAssert.AreEqual(before[key], values, $"backbone tensor {key} must be the pretrained one");
        CollectionAssert.AreNotEqual(before["fc3.weight"], after["fc3.weight"]);
        double accuracy = Accuracy(model, Classes("test", 200, 5));
        Assert.IsGreaterThan(0.6, accuracy, $"accuracy {accuracy:P1} on five new classes (chance 20 %)");
        Assert.IsTrue(Snapshot(pretrained.Model).All(kv => kv.Value.SequenceEqual(before[kv.Key])), "the pretrained model itself is untouched");
    }

    [TestMethod]
    public void FineTune_FreezesTheBackboneFirst_ThenTrainsEverything()
    {
        var pretrained = Pretrained("small-vgg");
        var before = Snapshot(pretrained.Model);
        Dictionary<string, float[]>? afterFrozen = null;
        var spy = new EpochEndSpy((state, metrics) => afterFrozen ??= Snapshot(state.Model)); // the first epoch end is the frozen phase's
        var model = new MLContext(3).MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            Training = Quick(2) with { Callbacks = [spy] },
            Transfer = new TransferOptions { From = pretrained, Mode = TransferMode.FineTune, FrozenEpochs = 1 },
        }).Fit(Classes("train", 120, 5));
        Assert.HasCount(3, model.History!, "one frozen epoch, then two unfrozen ones");
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, model.History!.Select(e => e.Epoch).ToArray());
        Assert.IsNotNull(afterFrozen);
        string head = "classifier.4.";
        foreach (var (key, values) in afterFrozen!.Where(kv => !kv.Key.StartsWith(head, StringComparison.Ordinal)))
            CollectionAssert.AreEqual(before[key], values, $"{key} (weights and batch-norm statistics) must not move while frozen");
        var final = Snapshot(model.Model);
        CollectionAssert.AreNotEqual(before["features.0.weight"], final["features.0.weight"], "the first convolution trains once unfrozen");
    }

    [TestMethod]
    public void LayerGroups_CoverEveryParameterOnce_WithDecreasingRates()
    {
        var model = ImageClassificationArchitectures.Create("resnet20", new ArchitectureInput(1, 28, 28, 10, 1));
        var groups = TransferLearning.Groups(model, 3, 0.1);
        Assert.HasCount(3, groups);
        CollectionAssert.AreEqual(new[] { 1.0, 0.1, 0.01 }, groups.Select(g => Math.Round(g.LearningRateFactor, 12)).ToArray());
        var all = groups.SelectMany(g => g.Parameters).ToList();
        Assert.HasCount(model.Parameters().Count(), all);
        Assert.AreEqual(all.Count, all.Distinct().Count(), "no parameter in two groups");
        CollectionAssert.AreEquivalent(((Linear)TransferLearning.Head(model).Module).Parameters().ToArray(), groups[0].Parameters.ToArray());
    }

    [TestMethod]
    public void ContinueTraining_StartsFromTheSavedWeights_HeadIncluded()
    {
        var pretrained = Pretrained();
        var before = Snapshot(pretrained.Model);
        Dictionary<string, float[]>? atStart = null;
        var spy = new TrainBeginSpy(state => atStart = Snapshot(state.Model));
        var model = new MLContext(4).MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            Training = Quick(1) with { Callbacks = [spy] }, Transfer = new TransferOptions { From = pretrained, Mode = TransferMode.ContinueTraining },
        }).Fit(Classes("train", 200, 0));
        foreach (var (key, values) in before) CollectionAssert.AreEqual(values, atStart![key], key);
        Assert.IsLessThan(pretrained.History![0].TrainLoss, model.History![0].TrainLoss, "continuing starts where the pretrained run ended");
    }

    [TestMethod]
    public void OnnxBackbone_RegisteredAsAnArchitecture_TrainsANewHead_AndSavedModelsLoad()
    {
        var pretrained = Pretrained();
        string onnx = Path.Combine(Path.GetTempPath(), $"mlp-backbone-{Guid.NewGuid():N}.onnx");
        try
        {
            MlPipelines.Trainers.Onnx.OnnxExporter.Export(pretrained.Model, new MlPipelines.Trainers.Onnx.OnnxExportOptions { InputShape = (1, 28, 28) }, onnx);
            string name = "onnx-lenet-" + Guid.NewGuid().ToString("N")[..8];
            ImageClassificationArchitectures.RegisterOnnx(name, onnx);
            var ctx = new MLContext(5);
            var model = ctx.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
            {
                Architecture = name, Training = Quick(10), Transfer = new TransferOptions { Mode = TransferMode.FeatureExtraction },
            }).Fit(Classes("train", 150, 5));
            // "Before the classifier" removes the imported graph's own classifier (fc3's Gemm): the new head reads fc2's 84 features.
            var body = model.Model.StateDict().Where(kv => kv.Key.StartsWith("backbone.body.", StringComparison.Ordinal)).ToList();
            Assert.IsNotEmpty(body);
            Assert.IsFalse(body.Any(kv => kv.Key.Contains("fc3", StringComparison.Ordinal)), "the imported classifier is cut away");
            Assert.AreEqual(84, model.Model.StateDict()["head.weight"].Shape[1]);
            foreach (var (key, tensor) in body)
                CollectionAssert.AreEqual(pretrained.Model.StateDict()[key["backbone.body.model.".Length..]].Span.ToArray(), tensor.Span.ToArray(), $"{key} stays as imported");
            var test = Classes("test", 200, 5);
            double accuracy = Accuracy(model, test);
            Assert.IsGreaterThan(0.4, accuracy, $"accuracy {accuracy:P1} on five new classes from the imported LeNet's features (chance 20 %)");

            using var stream = new MemoryStream();
            ctx.Model.Save(model, test.Schema, stream);
            stream.Position = 0;
            var loaded = (ImageClassificationTransformer)new MLContext().Model.Load(stream, out _);
            Assert.AreEqual(accuracy, Accuracy(loaded, test), 0.0);
        }
        finally
        {
            File.Delete(onnx);
        }
    }

    [TestMethod]
    public void IncompatibleInputs_FailNamingTheReason()
    {
        var pretrained = Pretrained();
        var rgb = new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 3, 28, 28), new float[2 * 3 * 784])
            .AddKeyColumn("Label", [1u, 2u], ["a", "b"]).ToDataView();
        var channels = Assert.ThrowsExactly<InvalidOperationException>(() => new MLContext().MulticlassClassification.Trainers.ImageClassification(
            new ImageClassificationTrainer.Options { Training = Quick(1), Transfer = new TransferOptions { From = pretrained } }).Fit(rgb));
        StringAssert.Contains(channels.Message, "1-channel");
        var bigger = new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 1, 32, 32), new float[2 * 1024])
            .AddKeyColumn("Label", [1u, 2u], ["a", "b"]).ToDataView();
        var size = Assert.ThrowsExactly<InvalidOperationException>(() => new MLContext().MulticlassClassification.Trainers.ImageClassification(
            new ImageClassificationTrainer.Options { Training = Quick(1), Transfer = new TransferOptions { From = pretrained } }).Fit(bigger));
        StringAssert.Contains(size.Message, "fc1.weight");
    }

    internal sealed class EpochEndSpy(Action<TrainingState, EpochMetrics> action) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingState state, EpochMetrics metrics) => action(state, metrics);
    }

    internal sealed class TrainBeginSpy(Action<TrainingState> action) : TrainingCallback
    {
        public override void OnTrainBegin(TrainingState state) => action(state);
    }
}
