using MlPipelines.Data.Storage;
using MlPipelines.Internal;

namespace MlPipelines.Data.Views;

/// <summary>
/// Shuffles a streaming source with a pool (ML.NET's shuffle transform): the cursor keeps up to poolSize rows and
/// yields a random one each step, refilling its slot from the source. Seeded: a cursor without a Random uses the seed.
/// </summary>
internal sealed class PoolShuffleDataView(IDataView source, int seed, int poolSize, bool shuffleSource) : IDataView
{
    public bool CanShuffle => true;

    public DataViewSchema Schema => source.Schema;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var columns = columnsNeeded.ToList();
        var active = RowChecks.ActiveSet(Schema, columns);
        rand ??= new Random(seed);
        var inner = source.GetRowCursor(columns, shuffleSource && source.CanShuffle ? new Random(rand.Next()) : null);
        return new Cursor(inner, active, poolSize, rand);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _inner;
        private readonly bool[] _active;
        private readonly Random _rand;
        private readonly IndexedColumn?[] _pool;
        private readonly List<(Action<int> Store, Action<int, int> Move)> _columns = [];
        private readonly DataViewRowId[] _ids;
        private readonly ValueGetter<DataViewRowId> _idGetter;
        private readonly RowCursorState _state = new();
        private int _filled;
        private int _current = -1;
        private long _position = -1;
        private bool _started;

        public Cursor(DataViewRowCursor inner, bool[] active, int poolSize, Random rand)
        {
            _inner = inner;
            _active = active;
            _rand = rand;
            _pool = new IndexedColumn?[active.Length];
            for (int i = 0; i < active.Length; i++)
            {
                if (!active[i]) continue;
                var (column, store, move) = GenericDispatch.Invoke(inner.Schema[i].Type.RawType, new PoolFunc(inner, inner.Schema[i]));
                _pool[i] = column;
                _columns.Add((store, move));
            }
            _ids = new DataViewRowId[poolSize];
            _idGetter = inner.GetIdGetter();
        }

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _inner.Schema;

        public override bool MoveNext()
        {
            if (!_started)
            {
                _started = true;
                while (_filled < _ids.Length && _inner.MoveNext()) Store(_filled++);
            }
            else if (_current >= 0)
            {
                if (_inner.MoveNext()) Store(_current);
                else
                {
                    int last = --_filled;
                    if (last != _current)
                    {
                        foreach (var c in _columns) c.Move(last, _current);
                        _ids[_current] = _ids[last];
                    }
                }
            }
            if (_filled == 0)
            {
                _current = -1;
                _state.Row = -1;
                return false;
            }
            _current = _rand.Next(_filled);
            _state.Row = _current;
            _position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column)
        {
            Schema.CheckColumn(column, nameof(column));
            return _active[column.Index];
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            RowChecks.CheckGetter<TValue>(Schema, column, _active[column.Index]);
            return (ValueGetter<TValue>)_pool[column.Index]!.MakeGetter(_state);
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) =>
        {
            if (_current < 0) throw RowChecks.NotOnRow();
            id = _ids[_current];
        };

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }

        private void Store(int slot)
        {
            foreach (var c in _columns) c.Store(slot);
            _idGetter(ref _ids[slot]);
        }
    }

    private sealed class PoolFunc(DataViewRowCursor inner, DataViewSchema.Column column) : IGenericFunc<(IndexedColumn, Action<int>, Action<int, int>)>
    {
        public (IndexedColumn, Action<int>, Action<int, int>) Invoke<T>()
        {
            var slots = (ValueSlots<T>)SlotsFactory.CreateMemory(column.Type, null);
            var getter = inner.GetGetter<T>(column);
            T value = default!;
            T moved = default!;
            return (new SlotsColumn<T>(column.Type, slots),
                slot =>
                {
                    getter(ref value);
                    slots.Set(slot, ref value);
                },
                (from, to) =>
                {
                    slots.Get(from, ref moved);
                    slots.Set(to, ref moved);
                });
        }
    }
}
