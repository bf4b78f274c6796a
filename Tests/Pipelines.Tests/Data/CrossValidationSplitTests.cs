using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests.Data;

/// <summary>ctx.Data.CrossValidationSplit: folds partition the rows, stratified, keyed or random, on indexed and streaming sources.</summary>
[TestClass]
public sealed class CrossValidationSplitTests
{
    private static IEnumerable<LabeledRow> Stream(List<LabeledRow> rows) => rows.Where(_ => true);

    private static int[] Ids(MLContext ctx, IDataView view) =>
        ctx.Data.CreateEnumerable<LabeledRow>(view, false).Select(r => (int)r.Features[0]).ToArray();

    [TestMethod]
    [DataRow(true, null)]
    [DataRow(false, null)]
    [DataRow(true, "Label")]
    [DataRow(false, "Label")]
    public void TestFolds_PartitionTheRows_AndTrainSetsAreTheRest(bool indexed, string? stratification)
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(101, seed: 4);
        var data = indexed ? ctx.Data.LoadFromEnumerable(rows) : ctx.Data.LoadFromEnumerable(Stream(rows));
        var folds = ctx.Data.CrossValidationSplit(data, 4, seed: 9, stratificationColumnName: stratification);
        Assert.AreEqual(4, folds.Count);
        var all = new List<int>();
        foreach (var fold in folds)
        {
            var test = Ids(ctx, fold.TestSet);
            var train = Ids(ctx, fold.TrainSet);
            CollectionAssert.AreEqual(test.Order().ToArray(), test, "rows keep their order");
            Assert.AreEqual(0, test.Intersect(train).Count());
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 101).ToArray(), test.Concat(train).ToArray());
            Assert.IsTrue(test.Length is 25 or 26, $"101 rows in 4 folds: 25 or 26 each, got {test.Length}");
            all.AddRange(test);
        }
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 101).ToArray(), all.ToArray());
    }

    [TestMethod]
    public void StratifiedFolds_SpreadEveryClassWithinOneRow()
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(203, seed: 5);
        var folds = ctx.Data.CrossValidationSplit(ctx.Data.LoadFromEnumerable(rows), 5, seed: 2, stratificationColumnName: "Label");
        foreach (string c in TestRows.Classes)
        {
            var counts = folds.Select(f => ctx.Data.CreateEnumerable<LabeledRow>(f.TestSet, false).Count(r => r.Label == c)).ToArray();
            Assert.IsTrue(counts.Max() - counts.Min() <= 1, $"class {c}: {string.Join(", ", counts)}");
            Assert.AreEqual(rows.Count(r => r.Label == c), counts.Sum());
        }
    }

    [TestMethod]
    public void KeyedFolds_KeepEqualKeysTogether()
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(300);
        var folds = ctx.Data.CrossValidationSplit(ctx.Data.LoadFromEnumerable(rows), 3, samplingKeyColumnName: "Weight", seed: 3);
        var keySets = folds.Select(f => f.TestSet.GetColumn<float>("Weight").ToHashSet()).ToArray();
        for (int a = 0; a < 3; a++)
            for (int b = a + 1; b < 3; b++)
                Assert.AreEqual(0, keySets[a].Intersect(keySets[b]).Count(), $"folds {a} and {b} share a key");
        Assert.AreEqual(300, folds.Sum(f => f.TestSet.GetColumn<float>("Weight").Count()));
    }

    [TestMethod]
    public void Seeded_AndBadArgumentsRejected()
    {
        var ctx = new MLContext(1);
        var data = ctx.Data.LoadFromEnumerable(TestRows.Labeled(50));
        CollectionAssert.AreEqual(Ids(ctx, ctx.Data.CrossValidationSplit(data, 3, seed: 8)[1].TestSet), Ids(ctx, ctx.Data.CrossValidationSplit(data, 3, seed: 8)[1].TestSet));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ctx.Data.CrossValidationSplit(data, 1));
        Assert.ThrowsExactly<SchemaMismatchException>(() => ctx.Data.CrossValidationSplit(data, 3, stratificationColumnName: "Nope"));
        Assert.ThrowsExactly<SchemaMismatchException>(() => ctx.Data.CrossValidationSplit(data, 3, stratificationColumnName: "Features"));
        Assert.ThrowsExactly<ArgumentException>(() => ctx.Data.CrossValidationSplit(data, 3, "Weight", stratificationColumnName: "Label"));
    }
}
