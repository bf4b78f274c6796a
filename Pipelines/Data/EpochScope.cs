namespace MlPipelines.Data;

/// <summary>
/// Tells data views with training-time randomness (augmentation) which epoch is being read, or that the read is for
/// scoring (validation) and must see the data unaugmented. A trainer enters a scope around each epoch's read; the scope
/// flows to the threads the read starts (it lives in an <see cref="AsyncLocal{T}"/>). Views that consult the scope mark
/// it, so the trainer learns whether its data changes from epoch to epoch at all.
/// </summary>
public sealed class EpochScope : IDisposable
{
    private static readonly AsyncLocal<EpochScope?> Current = new();
    private readonly EpochScope? _previous;
    private volatile bool _consulted;
    private bool _disposed;

    private EpochScope(int? epoch, bool scoring)
    {
        (Epoch, IsScoring, _previous) = (epoch, scoring, Current.Value);
        Current.Value = this;
    }

    /// <summary>The epoch (0-based), or null in a scoring scope.</summary>
    public int? Epoch { get; }

    /// <summary>Whether reads in this scope are for scoring (augmentation off).</summary>
    public bool IsScoring { get; }

    /// <summary>Whether a view read in this scope depended on it (its data varies by epoch).</summary>
    public bool WasConsulted => _consulted;

    /// <summary>Reads until disposal are of training epoch <paramref name="epoch"/> (0-based).</summary>
    public static EpochScope Enter(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return new EpochScope(epoch, false);
    }

    /// <summary>Reads until disposal are for scoring: training-only randomness is off.</summary>
    public static EpochScope EnterScoring() => new(null, true);

    /// <summary>The innermost scope of this flow, marked as consulted; null outside any scope.</summary>
    public static EpochScope? Consult()
    {
        var scope = Current.Value;
        if (scope is not null) scope._consulted = true;
        return scope;
    }

    /// <summary>Restores the enclosing scope.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Current.Value = _previous;
    }
}
