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
    public void Validate_RejectsZeroThreads()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ComputeConfig { DegreeOfParallelism = 0 }.Validate());
    }
}
