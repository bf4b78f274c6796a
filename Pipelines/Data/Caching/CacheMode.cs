namespace MlPipelines.Data;

/// <summary>Where a cache keeps column values.</summary>
public enum CacheMode
{
    /// <summary>In memory up to <see cref="CacheOptions.MaxMemoryBytes"/>; columns being filled past the bound move to disk.</summary>
    Auto,

    /// <summary>In memory only; going past the bound throws.</summary>
    Memory,

    /// <summary>On disk (temporary files deleted when the cache is disposed or the process ends).</summary>
    Disk,
}
