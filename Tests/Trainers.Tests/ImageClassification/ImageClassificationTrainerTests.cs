using MlPipelines.Data;
using MlPipelines.Pipelines.Tests.Helpers;
using MlPipelines.Trainers.ImageClassification;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Trainers.Tests.ImageClassification;

[TestClass]
public sealed class ImageClassificationTrainerTests
{
    private static readonly IDataView Train = FashionSample.View("train", 1200);
    private static readonly IDataView Test = FashionSample.View("test", 300);

    private static ImageClassificationTrainer.Options Quick(int epochs = 1) => new()
    {
        Training = new TrainingOptions { Epochs = epochs, BatchSize = 32, LearningRate = 0.05, Seed = 3, DegreeOfParallelism = 2 },
    };

    /// <summary>Reads (label key, predicted key, scores) from a scored view.</summary>
    private static List<(uint Label, uint Predicted, float[] Scores)> Read(IDataView scored, string label = "Label")
    {
        var result = new List<(uint, uint, float[])>();
        var columns = new[] { scored.Schema[label], scored.Schema["PredictedLabel"], scored.Schema["Score"] };
        using var cursor = scored.GetRowCursor(columns);
        var getLabel = cursor.GetGetter<uint>(columns[0]);
        var getPredicted = cursor.GetGetter<uint>(columns[1]);
        var getScore = cursor.GetGetter<VBuffer<float>>(columns[2]);
        uint l = 0, p = 0;
        var s = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            getLabel(ref l);
            getPredicted(ref p);
            getScore(ref s);
            result.Add((l, p, s.DenseValues().ToArray()));
        }
        return result;
    }

    [TestMethod]
    public void Pipeline_TrainsLeNet_AboveAnAccuracyFloor_AndScoresWithClassNames()
    {
        var ctx = new MLContext(1);
        var model = ctx.MulticlassClassification.Trainers.ImageClassification(Quick(epochs: 3) with { TopK = 3 }).Fit(Train);
        Assert.HasCount(3, model.History!);
        Assert.IsLessThan(model.History![0].TrainLoss, model.History[^1].TrainLoss, "the training loss must fall");

        var scored = model.Transform(Test);
        var scoreColumn = scored.Schema["Score"];
        var slots = default(VBuffer<ReadOnlyMemory<char>>);
        scoreColumn.GetSlotNames(ref slots);
        CollectionAssert.AreEqual(FashionSample.ClassNames, slots.DenseValues().Select(m => m.ToString()).ToArray());
        CollectionAssert.AreEqual(FashionSample.ClassNames, scored.Schema["PredictedLabel"].GetKeyValueNames()!.ToArray());

        var rows = Read(scored);
        Assert.HasCount(300, rows);
        double accuracy = rows.Count(r => r.Label == r.Predicted) / (double)rows.Count;
        Assert.IsGreaterThan(0.6, accuracy, $"test accuracy {accuracy:P1} (chance is 10 %)");
        foreach (var (_, predicted, scores) in rows)
        {
            Assert.AreEqual(1.0, scores.Sum(), 1e-4);
            Assert.AreEqual((uint)Array.IndexOf(scores, scores.Max()) + 1, predicted);
        }

        // Top-k: labels are the class names of the k best scores, best first.
        using var cursor = scored.GetRowCursor([scored.Schema["Score"], scored.Schema["TopKLabels"], scored.Schema["TopKScores"]]);
        var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        var topLabels = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(scored.Schema["TopKLabels"]);
        var topScores = cursor.GetGetter<VBuffer<float>>(scored.Schema["TopKScores"]);
        VBuffer<float> s = default, ts = default;
        VBuffer<ReadOnlyMemory<char>> tl = default;
        for (int n = 0; n < 20 && cursor.MoveNext(); n++)
        {
            score(ref s);
            topLabels(ref tl);
            topScores(ref ts);
            var expected = s.DenseValues().Select((v, i) => (v, i)).OrderByDescending(x => x.v).ThenBy(x => x.i).Take(3).ToArray();
            CollectionAssert.AreEqual(expected.Select(x => FashionSample.ClassNames[x.i]).ToArray(), tl.DenseValues().Select(m => m.ToString()).ToArray());
            CollectionAssert.AreEqual(expected.Select(x => x.v).ToArray(), ts.DenseValues().ToArray());
        }
    }

    [TestMethod]
    public void Workout_SchemaChecks_CursorSets_RowToRow_AndSaveLoad()
    {
        var ctx = new MLContext(2);
        var small = ctx.Data.TakeRows(Train, 160);
        var noFeatures = new InMemoryDataViewBuilder().AddKeyColumn("Label", [1u, 2u], ["a", "b"]).ToDataView();
        var doubles = new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Double, 1, 28, 28), new double[2 * 784])
            .AddKeyColumn("Label", [1u, 2u], ["a", "b"]).ToDataView();
        var flatUnknownShape = new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 784), new float[2 * 784])
            .AddKeyColumn("Label", [1u, 2u], ["a", "b"]).ToDataView();
        var vectorIntLabel = new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28), new float[2 * 784])
            .AddVectorColumn("Label", new VectorDataViewType(NumberDataViewType.Int32, 2), new int[4]).ToDataView();
        EstimatorWorkout.Run(ctx, ctx.MulticlassClassification.Trainers.ImageClassification(Quick()), small, noFeatures, doubles, flatUnknownShape, vectorIntLabel);
    }

    [TestMethod]
    public void SchemaErrors_NameTheColumnAndTypes()
    {
        var ctx = new MLContext(3);
        var doubles = new InMemoryDataViewBuilder()
            .AddVectorColumn("Pixels", new VectorDataViewType(NumberDataViewType.Double, 1, 28, 28), new double[784])
            .AddKeyColumn("Label", [1u], ["a", "b"]).ToDataView();
        var ex = Assert.ThrowsExactly<SchemaMismatchException>(() =>
            ctx.MulticlassClassification.Trainers.ImageClassification(featureColumnName: "Pixels").Fit(doubles));
        Assert.AreEqual("Pixels", ex.ColumnName);
        StringAssert.Contains(ex.Message, "Double");
        var missing = Assert.ThrowsExactly<SchemaMismatchException>(() => ctx.MulticlassClassification.Trainers.ImageClassification(labelColumnName: "Class").Fit(Train));
        Assert.AreEqual("Class", missing.ColumnName);
        Assert.ThrowsExactly<ArgumentException>(() => ctx.MulticlassClassification.Trainers.ImageClassification(architecture: "alexnet-9000"));
    }

    [TestMethod]
    public void TextLabels_AreSortedIntoClasses_AndMissingOnesSkipped()
    {
        var ctx = new MLContext(4);
        var (pixels, labels) = FashionSample.Read("train", 200);
        string[] text = [.. labels.Select(l => l == 9 ? "" : FashionSample.ClassNames[l])];
        var view = new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28), pixels)
            .AddColumn("Label", text).ToDataView();
        var warnings = new List<string>();
        ctx.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning) warnings.Add(e.Message); };
        var model = ctx.MulticlassClassification.Trainers.ImageClassification(Quick()).Fit(view);
        var expected = FashionSample.ClassNames.Take(9).Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(expected, model.ClassNames.ToArray());
        int missing = text.Count(t => t.Length == 0);
        Assert.IsTrue(warnings.Any(w => w.Contains($"Skipped {missing} ", StringComparison.Ordinal)), string.Join("; ", warnings));
    }

    [TestMethod]
    public void NonFinitePixels_FailNamingColumnAndRow()
    {
        var ctx = new MLContext(5);
        var (pixels, labels) = FashionSample.Read("train", 40);
        pixels[17 * 784 + 5] = float.NaN;
        var view = new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28), pixels)
            .AddKeyColumn("Label", [.. labels.Select(l => (uint)l + 1)], FashionSample.ClassNames).ToDataView();
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => ctx.MulticlassClassification.Trainers.ImageClassification(Quick()).Fit(view));
        StringAssert.Contains(ex.Message, "'Features'");
        StringAssert.Contains(ex.Message, "row 17");
    }

    [TestMethod]
    public void SavedModel_LoadsAndScoresIdentically_AndWorksInAPredictionEngine()
    {
        var ctx = new MLContext(6);
        var model = ctx.MulticlassClassification.Trainers.ImageClassification(Quick() with { ValidationFraction = 0.2 }).Fit(Train);
        Assert.IsNotNull(model.History![0].ValidationAccuracy, "a validation fraction gives validation metrics");
        string path = Path.Combine(Path.GetTempPath(), $"mlp-ic-{Guid.NewGuid():N}.zip");
        try
        {
            ctx.Model.Save(model, Train.Schema, path);
            var loaded = new MLContext().Model.Load(path, out var inputSchema);
            Assert.IsNotNull(inputSchema);
            var a = Read(model.Transform(Test));
            var b = Read(loaded.Transform(Test));
            for (int i = 0; i < a.Count; i++) CollectionAssert.AreEqual(a[i].Scores, b[i].Scores, $"row {i}");

            using var engine = ctx.Model.CreatePredictionEngine<ImageRow, Prediction>(loaded, inputSchema);
            var (pixels, _) = FashionSample.Read("test", 300);
            for (int i = 0; i < 5; i++)
            {
                var p = engine.Predict(new ImageRow { Features = pixels[(i * 784)..((i + 1) * 784)] });
                CollectionAssert.AreEqual(a[i].Scores, p.Score, $"prediction engine row {i}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Scoring_UsesTheTrainingThreads_AndGivesTheSameBitsOnOneThread()
    {
        var ctx = new MLContext(7);
        var trained = ctx.MulticlassClassification.Trainers.ImageClassification(Quick()).Fit(Train);
        Assert.AreEqual(2, trained.DegreeOfParallelism, "a trained model scores on the training's threads");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trained.WithDegreeOfParallelism(0));

        // ResNet-20 exercises every parallel path of inference (grid convolutions, strided ones, batch norm, pooling); its
        // batch-norm statistics are randomised so that evaluation mode is not an identity. 70 rows: a full batch and a ragged one.
        var model = ImageClassificationArchitectures.Create("resnet20", new ArchitectureInput(1, 28, 28, 10, 5));
        Onnx.BatchNormRandomiser.Randomise(model, 11, meanSpread: 0.2f, maxVariance: 1.5f);
        var options = new ImageClassificationTransformer.ScoringOptions("resnet20", 1, 28, 28, "Features", "Score", "PredictedLabel", 0, "TopLabels", "TopScores");
        var twoThreads = new ImageClassificationTransformer(model, options, FashionSample.ClassNames, null, degreeOfParallelism: 2);
        var oneThread = twoThreads.WithDegreeOfParallelism(1);
        Assert.AreEqual(1, oneThread.DegreeOfParallelism);
        Assert.AreSame(twoThreads.Model, oneThread.Model, "the copy shares the network");
        var rows = FashionSample.View("test", 70);
        var a = Read(twoThreads.Transform(rows));
        var b = Read(oneThread.Transform(rows));
        Assert.HasCount(70, a);
        for (int i = 0; i < a.Count; i++) CollectionAssert.AreEqual(b[i].Scores, a[i].Scores, $"row {i}");
        Assert.IsGreaterThan(60, a.Select(r => r.Scores[0]).Distinct().Count(), "the randomised network must score images differently");
    }

    [TestMethod]
    public void NonFiniteWeights_AreNeverSaved()
    {
        var ctx = new MLContext(7);
        var model = ctx.MulticlassClassification.Trainers.ImageClassification(Quick()).Fit(ctx.Data.TakeRows(Train, 64));
        model.Model.Parameters().First().Value.Span[0] = float.NaN;
        using var stream = new MemoryStream();
        Assert.ThrowsExactly<InvalidOperationException>(() => ctx.Model.Save(model, Train.Schema, stream));
    }

    public sealed class ImageRow
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];
    }

    public sealed class Prediction
    {
        [VectorType(10)]
        public float[] Score { get; set; } = [];
    }
}
