using MlPipelines.Data.Binding;
using MlPipelines.Internal;

namespace MlPipelines.Data.Views;

/// <summary>A single row over one user object at a time (prediction engines): set <see cref="Current"/>, then read.</summary>
internal sealed class ObjectRow<TRow> : DataViewRow
    where TRow : class
{
    private readonly RowBinding<TRow> _binding;
    private long _position = -1;
    private TRow? _current;

    public ObjectRow(RowBinding<TRow> binding) => _binding = binding;

    /// <summary>The object the row reads; setting it moves the row to a new position.</summary>
    public TRow? Current
    {
        get => _current;
        set
        {
            _current = value;
            _position++;
        }
    }

    public override long Position => _position;

    public override long Batch => 0;

    public override DataViewSchema Schema => _binding.Schema;

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        Schema.CheckColumn(column, nameof(column));
        return true;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        RowChecks.CheckGetter<TValue>(Schema, column, true);
        return (ValueGetter<TValue>)_binding.Members[column.Index].MakeReader(() => _current ?? throw RowChecks.NotOnRow());
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
}
