using MlPipelines.Internal;

namespace MlPipelines.Data.Views;

/// <summary>
/// Rows of a source accepted by a per-cursor test, up to a limit: filters (shuffle and split pass through) and
/// position-based selections of streaming sources (take, skip, split parts: one unshuffled cursor).
/// </summary>
internal sealed class FilteredDataView : IDataView
{
    private readonly IDataView _source;
    private readonly Func<DataViewRowCursor, Func<bool>> _makeAccept;
    private readonly IReadOnlyList<DataViewSchema.Column> _testColumns;
    private readonly bool _positional;
    private readonly long? _rowCount;
    private readonly Func<long?>? _countProvider;
    private readonly long _limit;

    /// <param name="source">The source view.</param>
    /// <param name="makeAccept">Makes, for an inner cursor, the test of its current row.</param>
    /// <param name="testColumns">Source columns the test reads.</param>
    /// <param name="positional">Whether the test depends on row positions (then no shuffling and one cursor per set).</param>
    /// <param name="rowCount">The row count when known.</param>
    /// <param name="limit">Stop after this many accepted rows.</param>
    /// <param name="countProvider">The row count once known (overrides <paramref name="rowCount"/>).</param>
    public FilteredDataView(IDataView source, Func<DataViewRowCursor, Func<bool>> makeAccept, IReadOnlyList<DataViewSchema.Column> testColumns,
        bool positional, long? rowCount, long limit = long.MaxValue, Func<long?>? countProvider = null)
    {
        _countProvider = countProvider;
        _source = source;
        _makeAccept = makeAccept;
        _testColumns = testColumns;
        _positional = positional;
        _rowCount = rowCount;
        _limit = limit;
    }

    public bool CanShuffle => !_positional && _source.CanShuffle;

    public DataViewSchema Schema => _source.Schema;

    public long? GetRowCount() => _countProvider is null ? _rowCount : _countProvider();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var (requested, inner) = InnerColumns(columnsNeeded);
        return Wrap(_source.GetRowCursor(inner, _positional ? null : rand), requested);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        if (_positional || _limit != long.MaxValue) return [GetRowCursor(columnsNeeded, rand)];
        var (requested, inner) = InnerColumns(columnsNeeded);
        return _source.GetRowCursorSet(inner, n, rand).Select(c => Wrap(c, requested)).ToArray();
    }

    private (bool[] Requested, List<DataViewSchema.Column> Inner) InnerColumns(IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        var requested = RowChecks.ActiveSet(Schema, columnsNeeded);
        var all = (bool[])requested.Clone();
        foreach (var c in _testColumns) all[c.Index] = true;
        return (requested, RowChecks.Columns(Schema, all).ToList());
    }

    private DataViewRowCursor Wrap(DataViewRowCursor inner, bool[] requested) => new Cursor(inner, requested, _makeAccept(inner), _limit);

    private sealed class Cursor(DataViewRowCursor inner, bool[] requested, Func<bool> accept, long limit) : DataViewRowCursor
    {
        private long _position = -1;
        private bool _done;

        public override long Position => _position;

        public override long Batch => inner.Batch;

        public override DataViewSchema Schema => inner.Schema;

        public override bool MoveNext()
        {
            if (_done) return false;
            if (_position + 1 < limit)
            {
                while (inner.MoveNext())
                {
                    if (!accept()) continue;
                    _position++;
                    return true;
                }
            }
            _done = true;
            return false;
        }

        public override bool IsColumnActive(DataViewSchema.Column column)
        {
            Schema.CheckColumn(column, nameof(column));
            return requested[column.Index];
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            RowChecks.CheckGetter<TValue>(Schema, column, requested[column.Index]);
            return inner.GetGetter<TValue>(column);
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
