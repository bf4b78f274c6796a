using MlPipelines.Data.Storage;
using MlPipelines.Data.Views;

namespace MlPipelines.Data;

/// <summary>
/// Builds an indexed, shuffleable data view from columns held in memory (the columnar counterpart of
/// LoadFromEnumerable). Arrays are taken over, not copied: do not change them afterwards.
/// </summary>
public sealed class InMemoryDataViewBuilder
{
    private readonly List<(DataViewSchema.DetachedColumn Column, IndexedColumn Values, long Rows)> _columns = [];

    /// <summary>
    /// Adds a scalar column of <paramref name="type"/> whose values have its raw type (numbers, bools, text as
    /// <see cref="ReadOnlyMemory{T}"/>, keys as uint with 0 = missing, custom objects), or strings for text.
    /// </summary>
    public InMemoryDataViewBuilder AddColumn<T>(string name, DataViewType type, T[] values, DataViewSchema.Annotations? annotations = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(values);
        if (type is VectorDataViewType)
            throw new ArgumentException("Use AddVectorColumn for vector columns.", nameof(type));
        IndexedColumn column;
        if (typeof(T) == typeof(string) && type is TextDataViewType)
            column = new ArrayColumn<ReadOnlyMemory<char>>(type, values.Select(v => ((string?)(object?)v ?? string.Empty).AsMemory()).ToArray());
        else if (typeof(T) == type.RawType)
            column = new ArrayColumn<T>(type, values);
        else
            throw new ArgumentException($"Column '{name}' of type {type} holds {type.RawType.Name} values, not {typeof(T).Name}.", nameof(values));
        if (type is KeyDataViewType key && values is uint[] keys && keys.Any(k => k > key.Count))
            throw new ArgumentException($"Column '{name}' has {key.Count} categories; keys must be 0 (missing) to {key.Count}.", nameof(values));
        return Add(new DataViewSchema.DetachedColumn(name, type, annotations), column, values.Length);
    }

    /// <summary>Adds a text column.</summary>
    public InMemoryDataViewBuilder AddColumn(string name, string[] values) => AddColumn(name, TextDataViewType.Instance, values);

    /// <summary>Adds a column of 32-bit floats.</summary>
    public InMemoryDataViewBuilder AddColumn(string name, float[] values) => AddColumn(name, NumberDataViewType.Single, values);

    /// <summary>
    /// Adds a key column: <paramref name="keys"/> are raw keys (1..count, 0 = missing) and <paramref name="keyValueNames"/>
    /// the class names (key k is named keyValueNames[k − 1]).
    /// </summary>
    public InMemoryDataViewBuilder AddKeyColumn(string name, uint[] keys, IReadOnlyList<string> keyValueNames)
    {
        ArgumentNullException.ThrowIfNull(keyValueNames);
        var annotations = new DataViewSchema.Annotations.Builder().AddKeyValues(keyValueNames).ToAnnotations();
        return AddColumn(name, new KeyDataViewType(typeof(uint), keyValueNames.Count), keys, annotations);
    }

    /// <summary>Adds a vector column of known size from row-major <paramref name="flatValues"/> (rows x size items).</summary>
    public InMemoryDataViewBuilder AddVectorColumn<TItem>(string name, VectorDataViewType type, TItem[] flatValues, DataViewSchema.Annotations? annotations = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(flatValues);
        if (!type.IsKnownSize) throw new ArgumentException("Flat values need a vector type of known size; pass one array per row instead.", nameof(type));
        if (type.ItemType.RawType != typeof(TItem)) throw new ArgumentException($"Items of {type} are {type.ItemType.RawType.Name}, not {typeof(TItem).Name}.", nameof(flatValues));
        if (flatValues.Length % type.Size != 0)
            throw new ArgumentException($"{flatValues.Length} items is not a whole number of rows of {type.Size}.", nameof(flatValues));
        var slots = new FixedVectorSlots<TItem>(type.Size, flatValues);
        return Add(new DataViewSchema.DetachedColumn(name, type, annotations), new SlotsColumn<VBuffer<TItem>>(type, slots), flatValues.Length / type.Size);
    }

    /// <summary>Adds a vector column from one array per row (rows may differ in length when the size is unknown).</summary>
    public InMemoryDataViewBuilder AddVectorColumn<TItem>(string name, VectorDataViewType type, TItem[][] rows, DataViewSchema.Annotations? annotations = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(rows);
        if (type.ItemType.RawType != typeof(TItem)) throw new ArgumentException($"Items of {type} are {type.ItemType.RawType.Name}, not {typeof(TItem).Name}.", nameof(rows));
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i] is null) throw new ArgumentException($"Row {i} is null.", nameof(rows));
            if (type.IsKnownSize && rows[i].Length != type.Size)
                throw new ArgumentException($"Row {i} of column '{name}' has {rows[i].Length} items; the type promises {type.Size}.", nameof(rows));
        }
        return Add(new DataViewSchema.DetachedColumn(name, type, annotations), new JaggedVectorColumn<TItem>(type, rows), rows.Length);
    }

    /// <summary>The view; every column must have the same number of rows.</summary>
    public IDataView ToDataView()
    {
        long rows = _columns.Count == 0 ? 0 : _columns[0].Rows;
        foreach (var c in _columns)
            if (c.Rows != rows)
                throw new InvalidOperationException($"Column '{c.Column.Name}' has {c.Rows} rows, but '{_columns[0].Column.Name}' has {rows}.");
        var schema = new DataViewSchema.Builder().AddColumns(_columns.Select(c => c.Column)).ToSchema();
        return new InMemoryDataView(schema, _columns.Select(c => c.Values).ToArray(), rows);
    }

    private InMemoryDataViewBuilder Add(DataViewSchema.DetachedColumn column, IndexedColumn values, long rows)
    {
        _columns.Add((column, values, rows));
        return this;
    }
}
