namespace MlPipelines;

/// <summary>
/// The entry point (ML.NET's MLContext): the seed, compute settings, the log and progress sinks, and the catalogs
/// that reach every operation — <see cref="Data"/>, <see cref="Transforms"/>, <see cref="MulticlassClassification"/>,
/// <see cref="Model"/>. Other assemblies add operations as extension methods on the catalogs. Thread-safe.
/// </summary>
public sealed class MLContext
{
    private readonly Lock _seedLock = new();
    private readonly Random _seeds;
    private readonly Action<LoggingEventArgs>? _logCallback;

    /// <summary>A context with the given seed (null: random) and default settings.</summary>
    public MLContext(int? seed = null)
        : this(new MLContextOptions { Seed = seed })
    {
    }

    /// <summary>A context with the given settings.</summary>
    public MLContext(MLContextOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DegreeOfParallelism, 1, nameof(options));
        Options = options;
        _seeds = options.Seed is int s ? new Random(s) : new Random(Random.Shared.Next());
        _logCallback = options.Log;
        ComponentCatalog = new ComponentCatalog();
        Data = new DataOperationsCatalog(this);
        Transforms = new TransformsCatalog(this);
        MulticlassClassification = new MulticlassClassificationCatalog(this);
        Model = new ModelOperationsCatalog(this);
    }

    /// <summary>The settings.</summary>
    public MLContextOptions Options { get; }

    /// <summary>The seed, or null when runs are not reproducible.</summary>
    public int? Seed => Options.Seed;

    /// <summary>Threads components may use.</summary>
    public int DegreeOfParallelism => Options.DegreeOfParallelism;

    /// <summary>Loading, saving, splitting, filtering, shuffling and caching data.</summary>
    public DataOperationsCatalog Data { get; }

    /// <summary>Data transforms (conversions, column operations, custom mappings; DataPrep adds image transforms).</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>Multiclass classification (trainers and evaluation come from other assemblies as extension methods).</summary>
    public MulticlassClassificationCatalog MulticlassClassification { get; }

    /// <summary>Model files and prediction engines.</summary>
    public ModelOperationsCatalog Model { get; }

    /// <summary>Components known by name: transformer loaders, custom column types, custom mapping factories.</summary>
    public ComponentCatalog ComponentCatalog { get; }

    /// <summary>Raised for every log message.</summary>
    public event EventHandler<LoggingEventArgs>? Log;

    /// <summary>
    /// The next seed of the context's stream: components that need randomness and got no explicit seed draw one here,
    /// so a seeded context reproduces a run when components are created in the same order.
    /// </summary>
    public int NextSeed()
    {
        lock (_seedLock) return _seeds.Next();
    }

    /// <summary>A new random generator seeded by <see cref="NextSeed"/>.</summary>
    public Random CreateRandom() => new(NextSeed());

    /// <summary>Sends a message to the log callback and the <see cref="Log"/> subscribers.</summary>
    public void WriteLog(ChannelMessageKind kind, string source, string message)
    {
        var handler = Log;
        if (handler is null && _logCallback is null) return;
        var args = new LoggingEventArgs(kind, source, message);
        _logCallback?.Invoke(args);
        handler?.Invoke(this, args);
    }

    /// <summary>Sends a progress report to <see cref="MLContextOptions.Progress"/>, if any.</summary>
    public void ReportProgress(ProgressReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Options.Progress?.Report(report);
    }
}
