using MlPipelines.Data;
using MlPipelines.Data.Caching;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests.Data;

[TestClass]
public sealed class CacheTests
{
    private static IDataView Expected(MLContext ctx, int n) => ctx.Data.LoadFromEnumerable(TestRows.Labeled(n));

    [TestMethod]
    public void MemoryCache_ComputesEachColumnOnce_OnFirstRead()
    {
        var ctx = new MLContext(1);
        var counter = new ReadCounter();
        var cached = ctx.Data.Cache(ctx.Data.LoadFromEnumerable(TestRows.Counted(counter, 100)));
        Assert.AreEqual(0, counter.Label, "caching is lazy");
        var first = ViewReader.ReadAll(cached, null, "Label");
        var second = ViewReader.ReadAll(cached, new Random(1), "Label");
        Assert.AreEqual(100, counter.Label, "the label column was computed once");
        Assert.AreEqual(0, counter.Features, "features were never requested");
        CollectionAssert.AreEquivalent(first.Select(r => r[0]).ToList(), second.Select(r => r[0]).ToList());
        ViewReader.AssertEqual(ViewReader.ReadAll(Expected(ctx, 100)), ViewReader.ReadAll(cached), "cached values");
        Assert.AreEqual(100, counter.Features);
        Assert.AreEqual(100, counter.Label);
        Assert.AreEqual(100L, cached.GetRowCount());
    }

    [TestMethod]
    public void Prefetch_CachesColumnsWithTheFirstPass()
    {
        var ctx = new MLContext(1);
        var counter = new ReadCounter();
        var cached = ctx.Data.Cache(ctx.Data.LoadFromEnumerable(TestRows.Counted(counter, 30)), "Weight");
        _ = cached.GetColumn<string>("Label").ToList();
        Assert.AreEqual(30, counter.Weight);
        _ = cached.GetColumn<float>("Weight").ToList();
        Assert.AreEqual(30, counter.Weight);
    }

    [TestMethod]
    [DataRow(CacheMode.Disk)]
    [DataRow(CacheMode.Auto)]
    public void DiskAndSpilledCaches_ReadBackTheSameValues(CacheMode mode)
    {
        var ctx = new MLContext(1);
        var folder = MlPipelines.Testing.TestPaths.NewTempFolder("cache");
        try
        {
            var options = new CacheOptions { Mode = mode, MaxMemoryBytes = 2048, SpillFolder = folder };
            var cached = (CachedDataView)ctx.Data.Cache(Expected(ctx, 300), options);
            ViewReader.AssertEqual(ViewReader.ReadAll(Expected(ctx, 300)), ViewReader.ReadAll(cached), "cached values");
            Assert.IsTrue(cached.IsOnDisk(cached.Schema["Features"].Index), "features went to disk");
            Assert.IsTrue(cached.MemoryBytes <= 2048);
            Assert.IsTrue(Directory.GetFiles(folder).Length > 0, "the cache files are in the spill folder");
            ViewReader.AssertEqual(ViewReader.ReadAll(Expected(ctx, 300), new Random(3)), ViewReader.ReadAll(cached, new Random(3)), "shuffled");
            var column = cached.Schema["Features"];
            using (var batches = cached.GetBatchCursor([column], 64, new Random(9)))
            {
                var buffer = new float[64 * 4];
                var reference = ViewReader.ReadAll(Expected(ctx, 300), new Random(9), "Features");
                int row = 0;
                while (batches.MoveNext())
                {
                    batches.CopyFloats(column, buffer);
                    for (int i = 0; i < batches.Count; i++, row++)
                        CollectionAssert.AreEqual((float[])reference[row][0]!, buffer.AsSpan(i * 4, 4).ToArray());
                }
                Assert.AreEqual(300, row);
            }
            cached.Dispose();
            Assert.AreEqual(0, Directory.GetFiles(folder).Length, "disposing deletes the files");
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void MemoryOnlyCache_OverItsBound_FailsClearly()
    {
        var ctx = new MLContext(1);
        var cached = ctx.Data.Cache(Expected(ctx, 300), new CacheOptions { Mode = CacheMode.Memory, MaxMemoryBytes = 1000 });
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => cached.GetColumn<float[]>("Features").ToList());
        StringAssert.Contains(e.Message, "1000");
    }

    [TestMethod]
    public void Cache_OfAStreamingSource_IsIndexedAndSplittable()
    {
        var ctx = new MLContext(1);
        var source = new CountingDataView(ctx.Data.LoadFromEnumerable(TestRows.Labeled(100).Where(_ => true)));
        var cached = ctx.Data.Cache(source);
        Assert.IsTrue(cached.CanShuffle);
        Assert.AreEqual(4, cached.GetRowCursorSet(cached.Schema, 4).Length);
        Assert.AreEqual(100L, cached.GetRowCount());
        ViewReader.AssertEqual(ViewReader.ReadAll(Expected(ctx, 100)), ViewReader.ReadAll(cached), "values");
        Assert.AreEqual(1, source.CursorsOpened, "one pass filled every column");
    }
}
