using MlPipelines.Engine.Compute;

namespace MlPipelines.Engine.Tests;

[TestClass]
public sealed class ComputeTests
{
    [TestMethod]
    public void ChunkRanges_CoverEveryItemOnce()
    {
        foreach (int count in new[] { 1, 2, 7, 100, 257 })
        {
            foreach (int threads in new[] { 1, 2, 3, 8 })
            {
                int chunks = DeterministicParallel.ChunkCount(count, threads, 1);
                var seen = new int[count];
                for (int c = 0; c < chunks; c++)
                {
                    (int s, int e) = DeterministicParallel.ChunkRange(count, chunks, c);
                    for (int i = s; i < e; i++) seen[i]++;
                }
                CollectionAssert.AreEqual(Enumerable.Repeat(1, count).ToArray(), seen, $"count {count}, threads {threads}");
            }
        }
    }

    [TestMethod]
    public void For_RunsEveryItem()
    {
        var hits = new int[1000];
        DeterministicParallel.For(hits.Length, 4, 10, (s, e) =>
        {
            for (int i = s; i < e; i++) Interlocked.Increment(ref hits[i]);
        });
        Assert.IsTrue(hits.All(h => h == 1));
    }

    [TestMethod]
    public void For_NestedConcurrentAndFailing_CallsBehave()
    {
        // Nested: a chunk asking for parallelism again runs (on the fallback), every item once.
        var nested = new int[64 * 64];
        DeterministicParallel.For(64, 4, 1, (s, e) =>
        {
            for (int r = s; r < e; r++)
                DeterministicParallel.For(64, 3, 1, (a, b) => { for (int c = a; c < b; c++) Interlocked.Increment(ref nested[r * 64 + c]); });
        });
        Assert.IsTrue(nested.All(h => h == 1), "nested");

        // Concurrent callers (the pool serves one, the others fall back) all see their own work done.
        var results = new long[8];
        Parallel.For(0, results.Length, k =>
        {
            long[] partial = new long[4];
            for (int repeat = 0; repeat < 50; repeat++)
            {
                Array.Clear(partial);
                DeterministicParallel.For(4000, 4, 100, (s, e) =>
                {
                    long sum = 0;
                    for (int i = s; i < e; i++) sum += i + k;
                    int chunk = s * 4 / 4000;
                    Interlocked.Add(ref partial[chunk], sum);
                });
                results[k] = partial.Sum();
            }
        });
        for (int k = 0; k < results.Length; k++) Assert.AreEqual(4000L * 3999 / 2 + 4000L * k, results[k], $"caller {k}");

        // A failing chunk surfaces its exception on the caller, and the pool keeps working afterwards.
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() =>
            DeterministicParallel.For(100, 4, 1, (s, e) => { if (s > 0) throw new InvalidOperationException("chunk failed"); }));
        Assert.AreEqual("chunk failed", ex.Message);
        var after = new int[100];
        DeterministicParallel.For(100, 4, 1, (s, e) => { for (int i = s; i < e; i++) after[i]++; });
        Assert.IsTrue(after.All(h => h == 1), "after a failure");
    }

    [TestMethod]
    public void Validate_RejectsZeroThreads()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ComputeConfig { DegreeOfParallelism = 0 }.Validate());
    }
}
