using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests.Transforms;

[TestClass]
public sealed class BatchMapperTests
{
    [TestMethod]
    public void Cursor_ComputesWholeBatches_AndKeepsPassThroughColumnsAligned()
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(60);
        var data = ctx.Data.LoadFromEnumerable(rows);
        var model = new RowSumEstimator("Features", 16).Fit(data);
        var read = ViewReader.ReadAll(model.Transform(data), new Random(4), "Label", "Sum", "Features");
        CollectionAssert.AreEqual(new[] { 16, 16, 16, 12 }, model.Batches.ToArray());
        foreach (var row in read)
        {
            var features = (float[])row[2]!;
            Assert.AreEqual(features.Sum(), (float)row[1]!, 1e-5f);
            Assert.AreEqual(rows[(int)features[0]].Label, row[0], "pass-through columns stay with their row");
        }
        Assert.AreEqual(60, read.Count);
    }

    [TestMethod]
    public void NothingIsComputedWhenTheAddedColumnIsNotRead()
    {
        var ctx = new MLContext(1);
        var data = ctx.Data.LoadFromEnumerable(TestRows.Labeled(20));
        var model = new RowSumEstimator("Features", 8).Fit(data);
        Assert.AreEqual(20, model.Transform(data).GetColumn<string>("Label").Count());
        Assert.AreEqual(0, model.Batches.Count);
    }

    [TestMethod]
    public void PredictionEngine_RunsBatchesOfOne()
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(5);
        var model = new RowSumEstimator("Features", 8).Fit(ctx.Data.LoadFromEnumerable(rows));
        using var engine = ctx.Model.CreatePredictionEngine<LabeledRow, SumOutput>(model);
        foreach (var r in rows) Assert.AreEqual(r.Features.Sum(), engine.Predict(r).Sum, 1e-5f);
        CollectionAssert.AreEqual(Enumerable.Repeat(1, 5).ToArray(), model.Batches.ToArray());
    }

    public sealed class SumOutput
    {
        public float Sum { get; set; }
    }
}
