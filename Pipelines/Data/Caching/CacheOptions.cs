namespace MlPipelines.Data;

/// <summary>Options of <see cref="DataOperationsCatalog.Cache(IDataView, CacheOptions)"/>.</summary>
public sealed record CacheOptions
{
    /// <summary>Memory, disk, or memory with spill to disk (default).</summary>
    public CacheMode Mode { get; init; } = CacheMode.Auto;

    /// <summary>Bound on the bytes of cached values held in memory (default 2 GiB).</summary>
    public long MaxMemoryBytes { get; init; } = 2L << 30;

    /// <summary>Folder of the on-disk files; null for the system's temporary folder.</summary>
    public string? SpillFolder { get; init; }

    /// <summary>Columns cached whenever anything is cached; other columns are cached on their first read.</summary>
    public IReadOnlyList<string> ColumnsToPrefetch { get; init; } = [];
}
