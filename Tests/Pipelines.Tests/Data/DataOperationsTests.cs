using MlPipelines.Data;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests.Data;

[TestClass]
public sealed class DataOperationsTests
{
    private static IEnumerable<LabeledRow> Stream(List<LabeledRow> rows) => rows.Where(_ => true);

    [TestMethod]
    [DataRow(0.1, 11, true)]
    [DataRow(0.25, 12, true)]
    [DataRow(0.5, 13, false)]
    [DataRow(0.33, 14, false)]
    public void StratifiedSplit_KeepsClassProportionsWithinOneExample(double fraction, int seed, bool indexed)
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(997, seed);
        var data = indexed ? ctx.Data.LoadFromEnumerable(rows) : ctx.Data.LoadFromEnumerable(Stream(rows));
        var split = ctx.Data.TrainTestSplit(data, fraction, seed: seed, stratificationColumnName: "Label");
        var train = ctx.Data.CreateEnumerable<LabeledRow>(split.TrainSet, false).ToList();
        var test = ctx.Data.CreateEnumerable<LabeledRow>(split.TestSet, false).ToList();
        Assert.AreEqual(rows.Count, train.Count + test.Count);
        foreach (string c in TestRows.Classes)
        {
            int total = rows.Count(r => r.Label == c);
            int inTest = test.Count(r => r.Label == c);
            Assert.IsTrue(Math.Abs(inTest - total * fraction) <= 1, $"class {c}: {inTest} of {total} in test at fraction {fraction}");
        }
        var ids = train.Concat(test).Select(r => (int)r.Features[0]).Order().ToList();
        CollectionAssert.AreEqual(Enumerable.Range(0, rows.Count).ToList(), ids, "every row in exactly one part");
        Assert.IsTrue(train.Select(r => r.Features[0]).SequenceEqual(train.Select(r => r.Features[0]).Order()), "rows keep their order");
        var again = ctx.Data.TrainTestSplit(data, fraction, seed: seed, stratificationColumnName: "Label");
        CollectionAssert.AreEqual(test.Select(r => r.Features[0]).ToList(),
            ctx.Data.CreateEnumerable<LabeledRow>(again.TestSet, false).Select(r => r.Features[0]).ToList(), "seeded");
    }

    [TestMethod]
    public void Split_ReadsOnlyTheStratificationColumn_AndNothingUntilUsed()
    {
        var ctx = new MLContext(1);
        var counter = new ReadCounter();
        var data = ctx.Data.LoadFromEnumerable(TestRows.Counted(counter, 200));
        var split = ctx.Data.TrainTestSplit(data, 0.2, seed: 1, stratificationColumnName: "Label");
        Assert.AreEqual(0, counter.Label, "nothing is read before a cursor asks");
        var weights = split.TestSet.GetColumn<float>("Weight").ToList();
        Assert.AreEqual(200, counter.Label, "one pass over the label column");
        Assert.AreEqual(0, counter.Features);
        Assert.AreEqual(weights.Count, counter.Weight);
        var rows = TestRows.Labeled(200);
        int expected = TestRows.Classes.Sum(c => (int)Math.Round(rows.Count(r => r.Label == c) * 0.2, MidpointRounding.AwayFromZero));
        Assert.AreEqual(expected, weights.Count);
    }

    [TestMethod]
    public void SamplingKeySplit_KeepsEqualKeysTogether()
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(300);
        var split = ctx.Data.TrainTestSplit(ctx.Data.LoadFromEnumerable(rows), 0.5, samplingKeyColumnName: "Weight", seed: 3);
        var trainKeys = split.TrainSet.GetColumn<float>("Weight").ToHashSet();
        var testKeys = split.TestSet.GetColumn<float>("Weight").ToHashSet();
        Assert.AreEqual(0, trainKeys.Intersect(testKeys).Count());
        Assert.AreEqual(300, split.TrainSet.GetColumn<float>("Weight").Count() + split.TestSet.GetColumn<float>("Weight").Count());
    }

    [TestMethod]
    public void RandomSplit_HasTheRequestedSize()
    {
        var ctx = new MLContext(1);
        var split = ctx.Data.TrainTestSplit(ctx.Data.LoadFromEnumerable(TestRows.Labeled(250)), 0.2, seed: 9);
        Assert.IsNull(split.TrainSet.GetRowCount(), "the count needs the split, which needs a pass");
        Assert.AreEqual(50, split.TestSet.GetColumn<float>("Weight").Count());
        Assert.AreEqual(200L, split.TrainSet.GetRowCount());
    }

    [TestMethod]
    public void TakeAndSkip_MatchOnIndexedAndStreamingSources()
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(40);
        foreach (var data in new[] { ctx.Data.LoadFromEnumerable(rows), ctx.Data.LoadFromEnumerable(Stream(rows)) })
        {
            var take = ctx.Data.TakeRows(data, 15).GetColumn<float[]>("Features").Select(f => f[0]).ToList();
            var skip = ctx.Data.SkipRows(data, 15).GetColumn<float[]>("Features").Select(f => f[0]).ToList();
            CollectionAssert.AreEqual(Enumerable.Range(0, 15).Select(i => (float)i).ToList(), take);
            CollectionAssert.AreEqual(Enumerable.Range(15, 25).Select(i => (float)i).ToList(), skip);
            Assert.AreEqual(0, ctx.Data.TakeRows(ctx.Data.SkipRows(data, 100), 3).GetColumn<float>("Weight").Count());
        }
        Assert.AreEqual(15L, ctx.Data.TakeRows(ctx.Data.LoadFromEnumerable(rows), 15).GetRowCount());
    }

    [TestMethod]
    public void TakeRows_StopsReadingAStreamingSource()
    {
        var ctx = new MLContext(1);
        var counting = new CountingDataView(ctx.Data.LoadFromEnumerable(Stream(TestRows.Labeled(1000))));
        Assert.AreEqual(10, ctx.Data.TakeRows(counting, 10).GetColumn<float>("Weight").Count());
        Assert.AreEqual(10, counting.RowsRead);
    }

    [TestMethod]
    public void Filters_DropTheRightRows()
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(100);
        var data = ctx.Data.LoadFromEnumerable(rows);
        var noCats = ctx.Data.FilterByCustomPredicate<LabeledRow>(data, r => r.Label == "cat");
        CollectionAssert.AreEqual(rows.Where(r => r.Label != "cat").Select(r => r.Features[0]).ToList(),
            noCats.GetColumn<float[]>("Features").Select(f => f[0]).ToList());
        var band = ctx.Data.FilterRowsByColumn(data, "Weight", 2, 4);
        CollectionAssert.AreEqual(rows.Where(r => r.Weight >= 2 && r.Weight < 4).Select(r => r.Weight).ToList(), band.GetColumn<float>("Weight").ToList());
        Assert.ThrowsExactly<SchemaMismatchException>(() => ctx.Data.FilterRowsByColumn(data, "Label", 0, 1));
        Assert.IsTrue(band.CanShuffle, "a filter over a shuffleable source shuffles");
        var shuffled = ViewReader.ReadAll(band, new Random(2), "Weight").Select(r => (float)r[0]!).ToList();
        CollectionAssert.AreEquivalent(band.GetColumn<float>("Weight").ToList(), shuffled);
    }

    [TestMethod]
    public void ShuffleRows_IsASeededPermutation_ForIndexedAndStreamingSources()
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(500);
        foreach (var data in new[] { ctx.Data.LoadFromEnumerable(rows), ctx.Data.LoadFromEnumerable(Stream(rows)) })
        {
            var a = ctx.Data.ShuffleRows(data, seed: 5, shufflePoolSize: 64).GetColumn<float[]>("Features").Select(f => f[0]).ToList();
            var b = ctx.Data.ShuffleRows(data, seed: 5, shufflePoolSize: 64).GetColumn<float[]>("Features").Select(f => f[0]).ToList();
            var c = ctx.Data.ShuffleRows(data, seed: 6, shufflePoolSize: 64).GetColumn<float[]>("Features").Select(f => f[0]).ToList();
            CollectionAssert.AreEqual(a, b);
            CollectionAssert.AreNotEqual(a, c);
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 500).Select(i => (float)i).ToList(), a);
            int displaced = a.Where((v, i) => Math.Abs(v - i) > 10).Count();
            Assert.IsTrue(displaced > 250, $"only {displaced} rows moved more than 10 places");
        }
    }

    [TestMethod]
    public void AppendColumn_AddsValuesInRowOrder()
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(20);
        foreach (var data in new[] { ctx.Data.LoadFromEnumerable(rows), ctx.Data.LoadFromEnumerable(Stream(rows)) })
        {
            var ids = Enumerable.Range(0, 20).Select(i => i * 10).ToArray();
            var appended = ctx.Data.AppendColumn(data, "Id", NumberDataViewType.Int32, ids);
            var vectors = ctx.Data.AppendVectorColumn(appended, "Pair", new VectorDataViewType(NumberDataViewType.Single, 2),
                Enumerable.Range(0, 20).Select(i => new[] { i, -i * 1f }).ToArray());
            var read = ViewReader.ReadAll(vectors, null, "Features", "Id", "Pair");
            for (int i = 0; i < 20; i++)
            {
                Assert.AreEqual(i * 10, read[i][1]);
                Assert.AreEqual((float)i, ((float[])read[i][0]!)[0]);
                CollectionAssert.AreEqual(new[] { i, -i * 1f }, (float[])read[i][2]!);
            }
            var tooFew = ctx.Data.AppendColumn(data, "Id", NumberDataViewType.Int32, new int[5]);
            Assert.ThrowsExactly<InvalidOperationException>(() => tooFew.GetColumn<int>("Id").ToList());
        }
    }
}
