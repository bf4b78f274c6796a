namespace MlPipelines.Data;

/// <summary>
/// One row of a data view (ML.NET's DataViewRow): typed getters of its active columns. Getters are made
/// once and then called per row; a getter may reuse the buffer passed to it (see <see cref="VBuffer{T}"/>).
/// </summary>
public abstract class DataViewRow : IDisposable
{
    /// <summary>The row's ordinal among the rows this cursor yielded (−1 before the first).</summary>
    public abstract long Position { get; }

    /// <summary>Which cursor of a set produced the row (0 for a lone cursor).</summary>
    public abstract long Batch { get; }

    /// <summary>The row's schema.</summary>
    public abstract DataViewSchema Schema { get; }

    /// <summary>Whether <paramref name="column"/> can be read (cursors compute only the columns asked for).</summary>
    public abstract bool IsColumnActive(DataViewSchema.Column column);

    /// <summary>A getter of <paramref name="column"/>; <typeparamref name="TValue"/> must be the column type's raw type.</summary>
    public abstract ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column);

    /// <summary>A getter of the row's identifier.</summary>
    public abstract ValueGetter<DataViewRowId> GetIdGetter();

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the row holds (input cursors, rented buffers).</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
