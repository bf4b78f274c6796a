using MlPipelines.Data;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests.Prediction;

[TestClass]
public sealed class PredictionEngineTests
{
    public sealed class Input
    {
        public string Label { get; set; } = "";

        [VectorType(4)]
        public float[] Features { get; set; } = [];

        public float Weight { get; set; }
    }

    public sealed class Output
    {
        public uint Key { get; set; }

        public string LabelBack { get; set; } = "";

        public float[] All { get; set; } = [];

        public float DoubleWeight { get; set; }

        [VectorType(4)]
        public float[] Features { get; set; } = [];
    }

    private static (MLContext Ctx, ITransformer Model, List<LabeledRow> Rows, IDataView Data) Fitted()
    {
        var ctx = new MLContext(1);
        ctx.ComponentCatalog.RegisterAssembly(typeof(PredictionEngineTests).Assembly);
        var rows = TestRows.Labeled(64);
        var data = ctx.Data.LoadFromEnumerable(rows);
        var model = ctx.Transforms.Conversion.MapValueToKey("Key", "Label")
            .Append(new ShiftFeaturesEstimator("Features"))
            .Append(ctx.Transforms.Conversion.MapKeyToValue("LabelBack", "Key"))
            .Append(ctx.Transforms.Concatenate("All", "Features", "Weight"))
            .Append(ctx.Transforms.CustomMapping<WeightInput, WeightOutput>(WeightMappingFactory.Map, WeightMappingFactory.Contract))
            .Fit(data);
        return (ctx, model, rows, data);
    }

    private static Input ToInput(LabeledRow r) => new() { Label = r.Label, Features = r.Features, Weight = r.Weight };

    [TestMethod]
    public void SinglePredictions_MatchBatchTransform()
    {
        var (ctx, model, rows, data) = Fitted();
        var batch = ctx.Data.CreateEnumerable<Output>(model.Transform(data), reuseRowObject: false).ToList();
        using var engine = ctx.Model.CreatePredictionEngine<Input, Output>(model);
        for (int i = 0; i < rows.Count; i++)
        {
            var p = engine.Predict(ToInput(rows[i]));
            Assert.AreEqual(batch[i].Key, p.Key);
            Assert.AreEqual(rows[i].Label, p.LabelBack);
            CollectionAssert.AreEqual(batch[i].All, p.All);
            Assert.AreEqual(rows[i].Weight * 2, p.DoubleWeight);
            CollectionAssert.AreEqual(rows[i].Features, p.Features, "the training-only shift is not applied when predicting");
        }
    }

    [TestMethod]
    public void Engine_FromALoadedModel_UsesTheSavedInputSchema()
    {
        var (ctx, model, rows, data) = Fitted();
        using var stream = new MemoryStream();
        ctx.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = ctx.Model.Load(stream, out var schema);
        using var engine = ctx.Model.CreatePredictionEngine<Input, Output>(loaded, schema);
        var p = engine.Predict(ToInput(rows[5]));
        Assert.AreEqual(rows[5].Label, p.LabelBack);
        Assert.AreEqual(rows[5].Weight * 2, p.DoubleWeight);
    }

    [TestMethod]
    public void MissingOutputColumns_AreIgnoredOrReported()
    {
        var (ctx, model, _, _) = Fitted();
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ctx.Model.CreatePredictionEngine<Input, Extra>(model, ignoreMissingColumns: false));
        StringAssert.Contains(e.Message, "Nowhere");
        using var lenient = ctx.Model.CreatePredictionEngine<Input, Extra>(model);
        var p = lenient.Predict(new Input { Label = "cat", Features = new float[4], Weight = 3 });
        Assert.AreEqual(0f, p.Nowhere);
        Assert.AreEqual(6f, p.DoubleWeight);
        var wrongInput = Assert.ThrowsExactly<SchemaMismatchException>(() => ctx.Model.CreatePredictionEngine<WrongInput, Output>(model));
        Assert.AreEqual("Label", wrongInput.ColumnName);
    }

    [TestMethod]
    public void PooledEngine_GivesTheSameAnswersUnderParallelUse()
    {
        var (ctx, model, rows, _) = Fitted();
        using var engine = ctx.Model.CreatePredictionEngine<Input, Output>(model);
        var expected = rows.Select(r => engine.Predict(ToInput(r))).ToList();
        using var pool = ctx.Model.CreatePredictionEnginePool<Input, Output>(model, maximumRetained: 4);
        var results = new Output[rows.Count * 20];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = pool.Predict(ToInput(rows[i % rows.Count])));
        for (int i = 0; i < results.Length; i++)
        {
            var want = expected[i % rows.Count];
            Assert.AreEqual(want.Key, results[i].Key, $"prediction {i}");
            Assert.AreEqual(want.LabelBack, results[i].LabelBack);
            CollectionAssert.AreEqual(want.All, results[i].All);
            Assert.AreEqual(want.DoubleWeight, results[i].DoubleWeight);
        }
        Assert.IsTrue(pool.EnginesCreated >= 1);
    }

    public sealed class Extra
    {
        public float Nowhere { get; set; }

        public float DoubleWeight { get; set; }
    }

    public sealed class WrongInput
    {
        public int Label { get; set; }
    }
}
