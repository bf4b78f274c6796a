using System.Collections;

namespace MlPipelines.Data;

/// <summary>
/// The columns of a data view (ML.NET's DataViewSchema): an immutable list of named, typed columns with
/// annotations. When two columns share a name, the later one wins and the earlier is hidden. Build one
/// with <see cref="Builder"/>.
/// </summary>
public sealed partial class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly Column[] _columns;
    private readonly Dictionary<string, int> _byName;

    private DataViewSchema(IReadOnlyList<DetachedColumn> columns)
    {
        _byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < columns.Count; i++) _byName[columns[i].Name] = i;
        _columns = new Column[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            var c = columns[i];
            _columns[i] = new Column(c.Name, i, _byName[c.Name] != i, c.Type, c.Annotations);
        }
    }

    /// <summary>A schema without columns.</summary>
    public static DataViewSchema Empty { get; } = new([]);

    /// <summary>Number of columns, hidden ones included.</summary>
    public int Count => _columns.Length;

    /// <summary>Column <paramref name="columnIndex"/>.</summary>
    public Column this[int columnIndex] => _columns[columnIndex];

    /// <summary>The visible column named <paramref name="name"/>; throws <see cref="ArgumentOutOfRangeException"/> when there is none.</summary>
    public Column this[string name] =>
        GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(name), $"Column '{name}' not found; the schema has {DescribeNames()}.");

    /// <summary>The visible column named <paramref name="name"/>, or null.</summary>
    public Column? GetColumnOrNull(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out int i) ? _columns[i] : null;
    }

    /// <inheritdoc />
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _columns.Select(c => c.ToString()));

    internal string DescribeNames() =>
        _byName.Count == 0 ? "no columns" : "columns " + string.Join(", ", _columns.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"));

    /// <summary>Checks that <paramref name="column"/> belongs to this schema (same index, name and type).</summary>
    internal void CheckColumn(Column column, string paramName)
    {
        if ((uint)column.Index >= (uint)_columns.Length || _columns[column.Index].Name != column.Name || !_columns[column.Index].Type.Equals(column.Type))
            throw new ArgumentException($"Column '{column.Name}' (index {column.Index}) does not belong to this schema.", paramName);
    }
}
