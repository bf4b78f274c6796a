using MlPipelines.Data.Binding;
using MlPipelines.Internal;

namespace MlPipelines.Data.Views;

/// <summary>
/// A view over an <see cref="IEnumerable{T}"/> of user objects read once per cursor (no shuffling, one cursor per set).
/// Lists get the indexed <see cref="ListDataView{TRow}"/> instead. Members are read only when their column's getter is called.
/// </summary>
internal sealed class EnumerableDataView<TRow>(IEnumerable<TRow> data, RowBinding<TRow> binding) : IDataView
    where TRow : class
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => binding.Schema;

    public long? GetRowCount() => data switch
    {
        ICollection<TRow> c => c.Count,
        IReadOnlyCollection<TRow> c => c.Count,
        _ => null,
    };

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(binding, RowChecks.ActiveSet(Schema, columnsNeeded), data.GetEnumerator());

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly RowBinding<TRow> _binding;
        private readonly bool[] _active;
        private readonly IEnumerator<TRow> _enumerator;
        private TRow? _current;
        private long _position = -1;

        public Cursor(RowBinding<TRow> binding, bool[] active, IEnumerator<TRow> enumerator)
        {
            _binding = binding;
            _active = active;
            _enumerator = enumerator;
        }

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _binding.Schema;

        public override bool MoveNext()
        {
            if (_enumerator.MoveNext())
            {
                _current = _enumerator.Current ?? throw new InvalidOperationException($"Row {_position + 1} of the source sequence is null.");
                _position++;
                return true;
            }
            _current = null;
            return false;
        }

        public override bool IsColumnActive(DataViewSchema.Column column)
        {
            Schema.CheckColumn(column, nameof(column));
            return _active[column.Index];
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            RowChecks.CheckGetter<TValue>(Schema, column, _active[column.Index]);
            return (ValueGetter<TValue>)_binding.Members[column.Index].MakeReader(Current);
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) =>
        {
            if (_current is null) throw RowChecks.NotOnRow();
            id = new DataViewRowId((ulong)_position, 0);
        };

        protected override void Dispose(bool disposing)
        {
            if (disposing) _enumerator.Dispose();
            base.Dispose(disposing);
        }

        private TRow Current() => _current ?? throw RowChecks.NotOnRow();
    }
}

/// <summary>An indexed view over a list of user objects: shuffles, splits into cursor sets, reads members lazily.</summary>
internal sealed class ListDataView<TRow>(IReadOnlyList<TRow> rows, RowBinding<TRow> binding) : IndexedDataView(binding.Schema)
{
    private readonly IndexedColumn[] _columns = binding.Members.Select(m => m.MakeIndexedColumn(rows)).ToArray();

    public override long RowCount => rows.Count;

    internal override IndexedColumn GetColumn(int index) => _columns[index];
}

/// <summary>Adapts an <see cref="IList{T}"/> that is not an <see cref="IReadOnlyList{T}"/>.</summary>
internal sealed class ReadOnlyListAdapter<T>(IList<T> list) : IReadOnlyList<T>
{
    public T this[int index] => list[index];

    public int Count => list.Count;

    public IEnumerator<T> GetEnumerator() => list.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
