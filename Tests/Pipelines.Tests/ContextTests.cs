using MlPipelines.Data;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests;

[TestClass]
public sealed class ContextTests
{
    [TestMethod]
    public void Seed_MakesDerivedSeedsReproducible()
    {
        var a = new MLContext(42);
        var b = new MLContext(42);
        var c = new MLContext(43);
        var sa = Enumerable.Range(0, 5).Select(_ => a.NextSeed()).ToList();
        CollectionAssert.AreEqual(sa, Enumerable.Range(0, 5).Select(_ => b.NextSeed()).ToList());
        CollectionAssert.AreNotEqual(sa, Enumerable.Range(0, 5).Select(_ => c.NextSeed()).ToList());
        Assert.AreEqual(42, a.Seed);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(new MLContextOptions { DegreeOfParallelism = 0 }));
    }

    [TestMethod]
    public void UnseededSplits_FollowTheContextSeed()
    {
        var rows = TestRows.Labeled(100);
        List<float> TestIds(int seed)
        {
            var ctx = new MLContext(seed);
            var split = ctx.Data.TrainTestSplit(ctx.Data.LoadFromEnumerable(rows), 0.3);
            return split.TestSet.GetColumn<float[]>("Features").Select(f => f[0]).ToList();
        }
        CollectionAssert.AreEqual(TestIds(5), TestIds(5));
        CollectionAssert.AreNotEqual(TestIds(5), TestIds(6));
    }

    [TestMethod]
    public void LogAndProgress_ReachTheirSinks()
    {
        var callback = new List<LoggingEventArgs>();
        var reports = new List<ProgressReport>();
        var ctx = new MLContext(new MLContextOptions { Seed = 1, DegreeOfParallelism = 2, Log = callback.Add, Progress = new SyncProgress(reports.Add) });
        var events = new List<string>();
        ctx.Log += (_, e) => events.Add(e.Message);
        var cached = ctx.Data.Cache(ctx.Data.LoadFromEnumerable(TestRows.Labeled(50)), new CacheOptions { MaxMemoryBytes = 100 });
        _ = cached.GetColumn<float[]>("Features").ToList();
        Assert.IsTrue(callback.Any(e => e.Source == "Cache" && e.Kind == ChannelMessageKind.Info && e.RawMessage.Contains("'Features'")), "spill is logged");
        Assert.AreEqual(callback.Count, events.Count);
        ctx.ReportProgress(new ProgressReport("Trainer", "epoch", 1, 10, new Dictionary<string, double> { ["loss"] = 0.5 }));
        Assert.AreEqual(1, reports.Count);
        Assert.AreEqual(0.5, reports[0].Metrics["loss"]);
        Assert.AreEqual(2, ctx.DegreeOfParallelism);
        ((IDisposable)cached).Dispose();
    }

    [TestMethod]
    public void CustomColumnType_RegistersItselfFromItsAssembly()
    {
        var ctx = new MLContext(1);
        var data = ctx.Data.LoadFromEnumerable(new List<PointRow> { new() { Where = new Point(1, 2) }, new() { Where = new Point(5, 6) } });
        Assert.AreEqual(new PointDataViewType(), data.Schema["Where"].Type);
        Assert.IsNotNull(ctx.ComponentCatalog.FindColumnType("test.point"));
        var back = ctx.Data.CreateEnumerable<PointRow>(data, false).Select(r => r.Where).ToList();
        CollectionAssert.AreEqual(new[] { new Point(1, 2), new Point(5, 6) }, back);
        var disk = ctx.Data.Cache(data, new CacheOptions { Mode = CacheMode.Disk });
        CollectionAssert.AreEqual(back, disk.GetColumn<Point>("Where").ToList(), "the registered codec writes points to the disk cache");
        ((IDisposable)disk).Dispose();
    }

    [TestMethod]
    public void Registry_RejectsConflictsAndBadNames()
    {
        var ctx = new MLContext(1);
        Assert.ThrowsExactly<ArgumentException>(() => ctx.ComponentCatalog.RegisterTransformer("mlp.concatenate", _ => throw new InvalidOperationException()));
        Assert.ThrowsExactly<ArgumentException>(() => ctx.ComponentCatalog.RegisterTransformer("../bad", _ => throw new InvalidOperationException()));
        Assert.IsTrue(ctx.ComponentCatalog.HasTransformerLoader("test.shift"), "found through the test assembly's registrar");
        Assert.IsFalse(ctx.ComponentCatalog.HasTransformerLoader("no.such.thing"));
    }

    public sealed class PointRow
    {
        public Point Where { get; set; } = new(0, 0);
    }

    private sealed class SyncProgress(Action<ProgressReport> report) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => report(value);
    }
}
