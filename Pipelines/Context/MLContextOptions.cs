namespace MlPipelines;

/// <summary>Settings of an <see cref="MLContext"/>: seed, compute configuration and where logs and progress go.</summary>
public sealed record MLContextOptions
{
    /// <summary>Seed of every random stream the context hands out; null for a random seed (runs then differ).</summary>
    public int? Seed { get; init; }

    /// <summary>Threads components may use (1 = single-threaded); defaults to the processor count.</summary>
    public int DegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Receives progress reports (IProgress: a Progress&lt;T&gt; marshals to its creator's context).</summary>
    public IProgress<ProgressReport>? Progress { get; init; }

    /// <summary>Receives every log message, in addition to <see cref="MLContext.Log"/> subscribers.</summary>
    public Action<LoggingEventArgs>? Log { get; init; }
}
