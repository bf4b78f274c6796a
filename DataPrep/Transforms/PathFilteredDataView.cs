using MlPipelines.Data;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>A view without the rows whose path column holds one of a set of paths (LoadImages' Skip policy).</summary>
internal sealed class PathFilteredDataView(IDataView input, DataViewSchema.Column pathColumn, HashSet<string> dropped) : IDataView
{
    public bool CanShuffle => input.CanShuffle;

    public DataViewSchema Schema => input.Schema;

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(input.GetRowCursor(WithPath(columnsNeeded), rand), pathColumn, dropped, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        input.GetRowCursorSet(WithPath(columnsNeeded), n, rand).Select(c => (DataViewRowCursor)new Cursor(c, pathColumn, dropped, columnsNeeded)).ToArray();

    private IEnumerable<DataViewSchema.Column> WithPath(IEnumerable<DataViewSchema.Column> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return columns.Append(pathColumn).DistinctBy(c => c.Index).ToList();
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _inner;
        private readonly ValueGetter<ReadOnlyMemory<char>> _path;
        private readonly HashSet<string> _dropped;
        private readonly bool[] _active;
        private ReadOnlyMemory<char> _value;
        private long _position = -1;

        public Cursor(DataViewRowCursor inner, DataViewSchema.Column pathColumn, HashSet<string> dropped, IEnumerable<DataViewSchema.Column> requested)
        {
            _inner = inner;
            _path = inner.GetGetter<ReadOnlyMemory<char>>(pathColumn);
            _dropped = dropped;
            _active = new bool[inner.Schema.Count];
            foreach (var c in requested) _active[c.Index] = true;
        }

        public override long Position => _position;

        public override long Batch => _inner.Batch;

        public override DataViewSchema Schema => _inner.Schema;

        public override bool MoveNext()
        {
            while (_inner.MoveNext())
            {
                _path(ref _value);
                if (_dropped.Contains(_value.ToString())) continue;
                _position++;
                return true;
            }
            return false;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index]) throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made, so it cannot be read.");
            return _inner.GetGetter<TValue>(column);
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
