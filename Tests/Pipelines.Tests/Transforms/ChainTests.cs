using MlPipelines.Data;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests.Transforms;

[TestClass]
public sealed class ChainTests
{
    [TestMethod]
    public void Fit_ChecksTheWholeChainBeforeReadingData()
    {
        var ctx = new MLContext(1);
        var data = new CountingDataView(ctx.Data.LoadFromEnumerable(TestRows.Labeled(30)));
        var chain = ctx.Transforms.Conversion.MapValueToKey("Key", "Label")
            .Append(ctx.Transforms.Concatenate("All", "Features", "Label"));
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() => chain.Fit(data));
        Assert.AreEqual("Label", e.ColumnName);
        Assert.AreEqual("String", e.ActualType);
        Assert.AreEqual(0, data.CursorsOpened, "the value-to-key step must not have been fitted");
    }

    [TestMethod]
    public void Chain_ReportsAddedColumnsToLaterSteps()
    {
        var ctx = new MLContext(1);
        var data = ctx.Data.LoadFromEnumerable(TestRows.Labeled(30));
        var chain = ctx.Transforms.Conversion.MapValueToKey("Key", "Label")
            .Append(ctx.Transforms.Conversion.MapKeyToValue("Again", "Key"))
            .Append(ctx.Transforms.CopyColumns("Copy", "Again"));
        var shape = chain.GetOutputSchema(SchemaShape.Create(data.Schema));
        Assert.IsTrue(shape.TryFindColumn("Copy", out var copy));
        Assert.AreEqual(TextDataViewType.Instance, copy.ItemType);
        var output = chain.Fit(data).Transform(data);
        CollectionAssert.AreEqual(data.GetColumn<string>("Label").ToArray(), output.GetColumn<string>("Copy").ToArray());
    }

    [TestMethod]
    public void TrainingOnlyStep_FeedsLaterEstimators_ButIsIdentityWhenScoring()
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(10);
        var data = ctx.Data.LoadFromEnumerable(rows);
        IDataView? seenByLaterStep = null;
        var spy = new SpyEstimator(d => seenByLaterStep = d);
        var model = new ShiftFeaturesEstimator("Features").Append(spy).Fit(data);
        Assert.IsNotNull(seenByLaterStep);
        var trainingFirst = seenByLaterStep.GetColumn<float[]>("Features").Select(f => f[0]).ToArray();
        CollectionAssert.AreEqual(rows.Select(r => r.Features[0] + 1000).ToArray(), trainingFirst, "training saw augmented data");
        var scored = model.Transform(data).GetColumn<float[]>("Features").Select(f => f[0]).ToArray();
        CollectionAssert.AreEqual(rows.Select(r => r.Features[0]).ToArray(), scored, "scoring is the identity");
        var again = model.TransformForTraining(data).GetColumn<float[]>("Features").Select(f => f[0]).ToArray();
        CollectionAssert.AreEqual(trainingFirst, again);
    }

    [TestMethod]
    public void CacheCheckpoint_RunsEarlierStepsOnce()
    {
        var ctx = new MLContext(1);
        var data = new CountingDataView(ctx.Data.LoadFromEnumerable(TestRows.Labeled(40)));
        int readsByLaterStep = 0;
        var spy = new SpyEstimator(d =>
        {
            for (int i = 0; i < 3; i++) readsByLaterStep += d.GetColumn<float[]>("All").Count();
        });
        var chain = ctx.Transforms.Concatenate("All", "Features", "Weight").AppendCacheCheckpoint(ctx).Append(spy);
        chain.Fit(data);
        Assert.AreEqual(120, readsByLaterStep);
        Assert.AreEqual(1, data.CursorsOpened, "three passes over the checkpoint, one over the source");
    }

    /// <summary>An estimator that shows what data it was fitted on and returns a copy step.</summary>
    private sealed class SpyEstimator(Action<IDataView> onFit) : IEstimator<ITransformer>
    {
        public ITransformer Fit(IDataView input)
        {
            onFit(input);
            return new MLContext(1).Transforms.CopyColumns("Spy", "Features").Fit(input);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => new MLContext(1).Transforms.CopyColumns("Spy", "Features").GetOutputSchema(inputSchema);
    }
}
