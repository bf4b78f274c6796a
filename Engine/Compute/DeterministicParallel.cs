using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MlPipelines.Engine.Compute;

/// <summary>
/// Runs a loop over [0, count) split into a fixed number of contiguous chunks.
/// The chunking depends only on the count and the degree of parallelism, never on timing,
/// so a kernel whose chunks write disjoint outputs gives identical results on every run.
/// </summary>
internal static class DeterministicParallel
{
    /// <summary>Calls <paramref name="body"/>(start, end) for each chunk. Runs inline when one chunk suffices.</summary>
    /// <param name="count">Number of work items.</param>
    /// <param name="threads">Degree of parallelism (>= 1).</param>
    /// <param name="minItemsPerChunk">Smallest chunk worth running on its own.</param>
    /// <param name="body">Receives [start, end) of a chunk.</param>
    public static void For(int count, int threads, int minItemsPerChunk, Action<int, int> body)
    {
        if (count <= 0) return;
        int chunks = ChunkCount(count, threads, minItemsPerChunk);
        if (chunks == 1)
        {
            body(0, count);
            return;
        }
        GCHandle handle = GCHandle.Alloc(body);
        try
        {
            unsafe
            {
                Run(count, chunks, Math.Min(threads, chunks), &RunAction, GCHandle.ToIntPtr(handle));
            }
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>
    /// Calls <paramref name="body"/>.Run(start, end) for each chunk without allocating: the chunks read a copy of the
    /// struct on the caller's stack, which stays alive until every chunk has finished. Runs inline when one chunk suffices.
    /// </summary>
    /// <param name="count">Number of work items.</param>
    /// <param name="threads">Degree of parallelism (>= 1).</param>
    /// <param name="minItemsPerChunk">Smallest chunk worth running on its own.</param>
    /// <param name="body">The work; copied, so what it writes must go through the pointers it holds.</param>
    public static unsafe void For<TBody>(int count, int threads, int minItemsPerChunk, in TBody body) where TBody : unmanaged, IChunkBody
    {
        if (count <= 0) return;
        TBody local = body;
        int chunks = ChunkCount(count, threads, minItemsPerChunk);
        if (chunks == 1)
        {
            local.Run(0, count);
            return;
        }
        Run(count, chunks, Math.Min(threads, chunks), &RunBody<TBody>, (nint)(&local));
    }

    /// <summary>
    /// Calls <paramref name="body"/>.Run(start, end) for each of <paramref name="chunks"/> fixed chunks of [0, count) on up
    /// to <paramref name="threads"/> threads. With more chunks than threads, a thread that runs ahead (the other's core is
    /// busier, or it woke late) takes over chunks the slower one has not started, instead of waiting for it at the end.
    /// The chunk boundaries depend on the arguments alone, so results do too.
    /// </summary>
    public static unsafe void ForChunks<TBody>(int count, int chunks, int threads, in TBody body) where TBody : unmanaged, IChunkBody
    {
        if (count <= 0) return;
        chunks = Math.Clamp(chunks, 1, count);
        TBody local = body;
        if (chunks == 1 || threads <= 1)
        {
            for (int c = 0; c < chunks; c++)
            {
                (int start, int end) = ChunkRange(count, chunks, c);
                local.Run(start, end);
            }
            return;
        }
        Run(count, chunks, Math.Min(threads, chunks), &RunBody<TBody>, (nint)(&local));
    }

    /// <summary>
    /// Runs the chunks on the worker pool; a call made from inside a running chunk (nested parallelism) runs its chunks one
    /// after another on the calling thread instead, and a call that finds the pool serving another thread uses the thread
    /// pool. The chunk boundaries are the same on every path, so the results are too.
    /// </summary>
    private static unsafe void Run(int count, int chunks, int threads, delegate*<nint, int, int, void> body, nint state)
    {
        if (ChunkPool.InsideChunk || !ChunkPool.TryRun(count, chunks, threads, body, state))
        {
            if (ChunkPool.InsideChunk)
            {
                for (int c = 0; c < chunks; c++)
                {
                    (int start, int end) = ChunkRange(count, chunks, c);
                    body(state, start, end);
                }
                return;
            }
            RunOnThreadPool(count, chunks, threads, (nint)body, state);
        }
    }

    /// <summary>
    /// The fallback for a busy pool. Kept out of Run: a lambda capturing its parameters would make every
    /// call allocate its closure, taken or not.
    /// </summary>
    private static unsafe void RunOnThreadPool(int count, int chunks, int threads, nint body, nint state) =>
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            (int start, int end) = ChunkRange(count, chunks, c);
            ((delegate*<nint, int, int, void>)body)(state, start, end);
        });

    private static unsafe void RunBody<TBody>(nint state, int start, int end) where TBody : unmanaged, IChunkBody =>
        ((TBody*)state)->Run(start, end);

    private static void RunAction(nint state, int start, int end) =>
        ((Action<int, int>)GCHandle.FromIntPtr(state).Target!)(start, end);

    /// <summary>
    /// Chunks a thread when the work allows: a thread that runs ahead takes over chunks a slower one has not started (see
    /// <see cref="ForChunks"/>), so a call ends at most about a chunk after its fastest thread instead of half the work.
    /// </summary>
    public const int ChunksPerThread = 4;

    /// <summary>
    /// Number of chunks used for <paramref name="count"/> items: up to <see cref="ChunksPerThread"/> a thread, each of at
    /// least <paramref name="minItemsPerChunk"/> items; one with one thread.
    /// </summary>
    public static int ChunkCount(int count, int threads, int minItemsPerChunk)
    {
        if (count <= 0) return 0;
        if (threads <= 1) return 1;
        int byWork = Math.Max(1, count / Math.Max(1, minItemsPerChunk));
        return Math.Max(1, Math.Min(Math.Min(threads * ChunksPerThread, byWork), count));
    }

    /// <summary>
    /// The [start, end) range of chunk <paramref name="index"/> of <paramref name="chunks"/>: sizes differ by at most one
    /// item, the larger chunks first, so the chunks claimed last (the ones a call may end up waiting for) are the small ones.
    /// </summary>
    public static (int Start, int End) ChunkRange(int count, int chunks, int index)
    {
        int size = count / chunks, larger = count % chunks;
        int start = index * size + Math.Min(index, larger);
        return (start, start + size + (index < larger ? 1 : 0));
    }
}

/// <summary>
/// Persistent worker threads for <see cref="DeterministicParallel.For"/>. The chunks of a call are claimed, one at a time,
/// by whichever thread is free: the caller and the workers it wakes. So a worker that wakes late (a blocked thread takes
/// tens of microseconds to wake, more on a busy VM) or runs slowly costs the call only the chunk it is running, instead of
/// the caller waiting idle for it, and when the caller claims every chunk itself the call runs serially without waiting at
/// all. Who runs a chunk never changes what it computes, so results stay bit-identical. Unlike Parallel.For, a call
/// allocates nothing in steady state (the training loop makes thousands of kernel calls per epoch). One caller at a time;
/// a busy pool makes the caller fall back.
/// </summary>
internal static unsafe class ChunkPool
{
    [ThreadStatic] private static bool t_insideChunk;

    private static readonly Lock Gate = new();
    private static readonly ManualResetEventSlim Done = NewDoneEvent();
    private static readonly List<Worker> Workers = [];
    private static delegate*<nint, int, int, void> _body;
    private static nint _state;
    private static int _count, _chunks, _pending;
    private static bool _running;
    private static Exception? _error;

    /// <summary>
    /// The claim counter: the call's chunk count in the high 32 bits, the next unclaimed chunk in the low 32. A claim is one
    /// atomic increment, and it is valid only when the chunk it got is below the count carried by the same value: a worker
    /// that wakes after its call ended meets a closed counter (count 0), or the next call's, whose fields are then in place.
    /// </summary>
    private static long _ticket;

    /// <summary>
    /// The caller's wait. The event creates its lock object lazily, the first time a wait has to block rather than spin (on
    /// a loaded machine that can be any call, long after warm-up): one short blocking wait here makes it up front, so a
    /// steady-state call allocates nothing however busy the machine is.
    /// </summary>
    private static ManualResetEventSlim NewDoneEvent()
    {
        var done = new ManualResetEventSlim(false);
        done.Wait(1);
        return done;
    }

    /// <summary>True on a thread that is running a chunk (the caller's own chunks included).</summary>
    public static bool InsideChunk => t_insideChunk;

    /// <summary>
    /// Runs body(state, start, end) for every chunk on the caller and up to <paramref name="threads"/> - 1 workers, and
    /// waits; false when the pool is serving another caller.
    /// </summary>
    public static bool TryRun(int count, int chunks, int threads, delegate*<nint, int, int, void> body, nint state)
    {
        if (!Gate.TryEnter()) return false;
        if (_running)
        {
            // The lock is reentrant: a chunk of the running call (on the caller's thread) asked for parallelism again.
            Gate.Exit();
            return false;
        }
        try
        {
            _running = true;
            int helpers = Math.Min(threads, chunks) - 1;
            while (Workers.Count < helpers) Workers.Add(new Worker());
            _body = body;
            (_state, _count, _chunks, _error) = (state, count, chunks, null);
            Volatile.Write(ref _pending, chunks);
            Done.Reset();
            Interlocked.Exchange(ref _ticket, (long)chunks << 32);
            for (int w = 0; w < helpers; w++) Workers[w].Wake();
            RunClaimedChunks();
            // The event may also have been set by a worker finishing the previous call's last chunk after that call had
            // seen its count reach zero, so only the count says this call is over.
            if (!SpinUntil(new AllChunksDone()))
                while (Volatile.Read(ref _pending) != 0) Done.Wait();
            Interlocked.Exchange(ref _ticket, 0);
            _body = null;
            _state = 0;
            if (_error is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            return true;
        }
        finally
        {
            _running = false;
            Gate.Exit();
        }
    }

    /// <summary>
    /// How long a thread with nothing to do spins before it blocks: a training step makes a parallel call every few hundred
    /// microseconds, and a blocked thread can take that long to wake on a VM, so both the caller (waiting for the last
    /// chunk) and an idle worker (waiting for the next call) stay awake across the gaps. OpenMP runtimes spin the same way.
    /// </summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 1000;

    /// <summary>Spins (politely) until <paramref name="condition"/> holds or <see cref="SpinTicks"/> pass; false on timeout.</summary>
    private static bool SpinUntil<TCondition>(TCondition condition) where TCondition : struct, ISpinCondition
    {
        if (condition.Holds()) return true;
        long deadline = Stopwatch.GetTimestamp() + SpinTicks;
        do
        {
            Thread.SpinWait(16);
            if (condition.Holds()) return true;
        }
        while (Stopwatch.GetTimestamp() < deadline);
        return false;
    }

    /// <summary>What a spinning thread waits for (a struct, so spinning allocates nothing).</summary>
    private interface ISpinCondition
    {
        bool Holds();
    }

    /// <summary>Every chunk of the current call has finished.</summary>
    private readonly struct AllChunksDone : ISpinCondition
    {
        public bool Holds() => Volatile.Read(ref _pending) == 0;
    }

    /// <summary>A worker has been woken (its semaphore holds a count).</summary>
    private readonly struct Signalled(SemaphoreSlim go) : ISpinCondition
    {
        public bool Holds() => go.CurrentCount > 0;
    }

    /// <summary>Claims and runs chunks of the current call until none is left; the thread that finishes the last one signals.</summary>
    private static void RunClaimedChunks()
    {
        while (true)
        {
            long ticket = Interlocked.Increment(ref _ticket) - 1;
            int chunk = (int)ticket, chunks = (int)(ticket >> 32);
            if (chunk >= chunks) return;
            RunChunk(chunk);
            if (Interlocked.Decrement(ref _pending) == 0) Done.Set();
        }
    }

    private static void RunChunk(int chunk)
    {
        t_insideChunk = true;
        try
        {
            (int start, int end) = DeterministicParallel.ChunkRange(_count, _chunks, chunk);
            _body(_state, start, end);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _error, e, null);
        }
        finally
        {
            t_insideChunk = false;
        }
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _go = new(0);

        public Worker()
        {
            new Thread(Loop) { IsBackground = true, Name = "MlPipelines kernel worker" }.Start();
        }

        public void Wake() => _go.Release();

        private void Loop()
        {
            while (true)
            {
                // A wake-up is never lost: the semaphore counts it, and the blocking wait returns at once when it has.
                SpinUntil(new Signalled(_go));
                _go.Wait();
                RunClaimedChunks();
            }
        }
    }
}
