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
    public void BackToBackCalls_OfChangingWidth_RunEveryChunkOnce()
    {
        // Chunks are claimed by whichever thread is free, and a worker may wake after its call has ended: across thousands
        // of calls whose chunk counts change, no chunk may run twice, be skipped, or run under another call's body.
        var hits = new int[64];
        fixed (int* p = hits)
        {
            for (int call = 0; call < 3000; call++)
            {
                int chunks = 2 + call % 4;
                var body = new CountBody { Hits = p + chunks * 8, Threads = chunks };
                DeterministicParallel.For(chunks, chunks, 1, body);
                for (int c = 0; c < chunks; c++)
                    Assert.AreEqual(1, Interlocked.Exchange(ref hits[chunks * 8 + c], 0), $"call {call}: chunk {c} of {chunks}");
                Assert.IsTrue(hits.All(h => h == 0), $"call {call}: an item outside the call's range was run");
            }
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
            // Every thread's allocations count: the workers' wait-and-claim loop must not allocate either. The test host's
            // own threads allocate now and then, so the quietest of five rounds is the one judged.
            long fewest = long.MaxValue;
            for (int round = 0; round < 5; round++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < 100; i++) DeterministicParallel.For(hits.Length, 2, 1, body);
                fewest = Math.Min(fewest, GC.GetTotalAllocatedBytes(precise: true) - before);
            }
            Assert.AreEqual(0, fewest, "bytes allocated by 100 two-chunk calls (fewest of five rounds)");
        }
        Assert.IsTrue(hits.All(h => h == 520));
    }
}
