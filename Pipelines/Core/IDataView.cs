using MlPipelines.Data;

namespace MlPipelines;

/// <summary>
/// An immutable, lazily evaluated table (ML.NET's IDataView): a schema plus cursors that compute only the
/// columns asked for. Every cursor over the same view yields the same rows in the same order unless a
/// <see cref="Random"/> asks for a shuffled order (honoured when <see cref="CanShuffle"/>).
/// </summary>
public interface IDataView
{
    /// <summary>Whether cursors honour a <see cref="Random"/> by yielding rows in a random order.</summary>
    bool CanShuffle { get; }

    /// <summary>The columns.</summary>
    DataViewSchema Schema { get; }

    /// <summary>The number of rows when known without a pass over the data; otherwise null.</summary>
    long? GetRowCount();

    /// <summary>A cursor computing only <paramref name="columnsNeeded"/>; rows in a random order driven by <paramref name="rand"/> when given and <see cref="CanShuffle"/>.</summary>
    DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null);

    /// <summary>
    /// Up to <paramref name="n"/> cursors that together yield every row once, for reading on several threads
    /// (each cursor is used by one thread). A view that cannot split returns a single cursor.
    /// </summary>
    DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null);
}
