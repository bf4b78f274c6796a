using MlPipelines.Engine.Compute;

namespace MlPipelines.Engine.Tests.Kernels;

/// <summary>The allocation-free struct form of DeterministicParallel.For that the kernels use.</summary>
[TestClass]
[TestCategory("Kernels")]
public sealed unsafe class ChunkBodyTests
{
    private struct CountBody : IChunkBody
    {
        public int* Hits;
        public int Threads;
        public bool Nest;

        public readonly void Run(int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                if (Nest)
                {
                    // A chunk asking for parallelism again: its chunks run on the calling thread, each item once.
                    var inner = new CountBody { Hits = Hits + i * 16, Threads = Threads };
                    DeterministicParallel.For(16, Threads, 1, inner);
                }
                else
                {
                    Interlocked.Increment(ref Hits[i]);
                }
            }
        }
    }

    private struct FailingBody : IChunkBody
    {
        public readonly void Run(int start, int end)
        {
            if (start > 0) throw new InvalidOperationException("chunk failed");
        }
    }

    [TestMethod]
    public void StructBody_RunsEveryItemOnce_NestedToo()
    {
        foreach (int threads in new[] { 1, 2, 4 })
        {
            var hits = new int[1000];
            fixed (int* p = hits) DeterministicParallel.For(hits.Length, threads, 10, new CountBody { Hits = p, Threads = threads });
            Assert.IsTrue(hits.All(h => h == 1), $"flat, {threads} threads");

            var nested = new int[64 * 16];
            fixed (int* p = nested) DeterministicParallel.For(64, threads, 1, new CountBody { Hits = p, Threads = threads, Nest = true });
            Assert.IsTrue(nested.All(h => h == 1), $"nested, {threads} threads");
        }
    }

    [TestMethod]
    [DoNotParallelize]   // another test class holding the worker pool would send this caller to the (allocating) thread-pool fallback
    public void StructBody_SurfacesAChunksException_AndAllocatesNothing()
    {
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => DeterministicParallel.For(100, 4, 1, new FailingBody()));
        Assert.AreEqual("chunk failed", ex.Message);

        var hits = new int[4096];
        fixed (int* p = hits)
        {
            var body = new CountBody { Hits = p, Threads = 2 };
            for (int i = 0; i < 20; i++) DeterministicParallel.For(hits.Length, 2, 1, body);   // warm the pool
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) DeterministicParallel.For(hits.Length, 2, 1, body);
            Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before, "bytes allocated by 100 two-chunk calls");
        }
        Assert.IsTrue(hits.All(h => h == 120));
    }
}
