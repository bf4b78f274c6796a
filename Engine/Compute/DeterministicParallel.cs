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
    /// <param name="minItemsPerChunk">Smallest chunk worth a thread.</param>
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
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            (int start, int end) = ChunkRange(count, chunks, c);
            body(start, end);
        });
    }

    /// <summary>Number of chunks used for <paramref name="count"/> items.</summary>
    public static int ChunkCount(int count, int threads, int minItemsPerChunk)
    {
        if (count <= 0) return 0;
        int byWork = Math.Max(1, count / Math.Max(1, minItemsPerChunk));
        return Math.Max(1, Math.Min(Math.Min(threads, byWork), count));
    }

    /// <summary>The [start, end) range of chunk <paramref name="index"/> of <paramref name="chunks"/>.</summary>
    public static (int Start, int End) ChunkRange(int count, int chunks, int index)
    {
        long start = (long)count * index / chunks;
        long end = (long)count * (index + 1) / chunks;
        return ((int)start, (int)end);
    }
}
