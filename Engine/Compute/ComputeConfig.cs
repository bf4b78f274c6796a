namespace MlPipelines.Engine.Compute;

/// <summary>
/// Explicit compute settings passed to everything that runs kernels: no hidden globals.
/// A run is reproducible bit for bit for a given <see cref="Seed"/> and <see cref="DegreeOfParallelism"/>.
/// </summary>
public sealed record ComputeConfig
{
    /// <summary>Number of threads kernels may use (1 = single-threaded).</summary>
    public int DegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Seed for every random stream derived from this configuration.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Single-threaded configuration with the given seed.</summary>
    public static ComputeConfig SingleThreaded(ulong seed = 42) => new() { DegreeOfParallelism = 1, Seed = seed };

    /// <summary>Validates the settings and returns this instance.</summary>
    public ComputeConfig Validate()
    {
        if (DegreeOfParallelism < 1)
            throw new ArgumentOutOfRangeException(nameof(DegreeOfParallelism), DegreeOfParallelism, "Degree of parallelism must be at least 1.");
        return this;
    }
}
