using MlPipelines.Data;

namespace MlPipelines.Pipelines.Tests.Helpers;

/// <summary>Wraps a view and counts the cursors opened and rows moved over (to prove that nothing is read).</summary>
public sealed class CountingDataView(IDataView inner) : IDataView
{
    private int _cursors;
    private long _rows;

    public int CursorsOpened => _cursors;

    public long RowsRead => Interlocked.Read(ref _rows);

    public bool CanShuffle => inner.CanShuffle;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        Interlocked.Increment(ref _cursors);
        return new Cursor(inner.GetRowCursor(columnsNeeded, rand), this);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        Interlocked.Increment(ref _cursors);
        return inner.GetRowCursorSet(columnsNeeded, n, rand).Select(c => (DataViewRowCursor)new Cursor(c, this)).ToArray();
    }

    private sealed class Cursor(DataViewRowCursor inner, CountingDataView owner) : DataViewRowCursor
    {
        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override DataViewSchema Schema => inner.Schema;

        public override bool MoveNext()
        {
            bool moved = inner.MoveNext();
            if (moved) Interlocked.Increment(ref owner._rows);
            return moved;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
