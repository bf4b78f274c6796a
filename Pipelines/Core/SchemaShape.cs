using System.Collections;
using MlPipelines.Data;

namespace MlPipelines;

/// <summary>
/// What an estimator can know about a schema before fitting (ML.NET's SchemaShape): per column the name,
/// scalar/vector kind, item type, key-ness, annotation kinds and, beyond ML.NET, the vector dimensions when known.
/// </summary>
public sealed partial class SchemaShape : IReadOnlyList<SchemaShape.Column>
{
    private readonly Column[] _columns;

    /// <summary>A shape with <paramref name="columns"/>; a later column with the same name hides an earlier one.</summary>
    public SchemaShape(IEnumerable<Column> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = columns.ToArray();
        foreach (var c in _columns)
            if (!c.IsValid) throw new ArgumentException("A default SchemaShape.Column is not a column.", nameof(columns));
    }

    /// <summary>The shape of the visible columns of <paramref name="schema"/>.</summary>
    public static SchemaShape Create(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new SchemaShape(schema.Where(c => !c.IsHidden).Select(Column.FromSchemaColumn));
    }

    /// <summary>Number of columns.</summary>
    public int Count => _columns.Length;

    /// <summary>Column <paramref name="index"/>.</summary>
    public Column this[int index] => _columns[index];

    /// <summary>Finds the last column named <paramref name="name"/>.</summary>
    public bool TryFindColumn(string name, out Column column)
    {
        for (int i = _columns.Length - 1; i >= 0; i--)
        {
            if (_columns[i].Name == name)
            {
                column = _columns[i];
                return true;
            }
        }
        column = default;
        return false;
    }

    /// <summary>A copy with <paramref name="added"/> columns replacing same-named columns (or appended).</summary>
    public SchemaShape With(IEnumerable<Column> added)
    {
        var result = new List<Column>(_columns);
        foreach (var c in added)
        {
            result.RemoveAll(x => x.Name == c.Name);
            result.Add(c);
        }
        return new SchemaShape(result);
    }

    /// <summary>A copy without the columns named in <paramref name="names"/>.</summary>
    public SchemaShape Without(IEnumerable<string> names)
    {
        var drop = new HashSet<string>(names, StringComparer.Ordinal);
        return new SchemaShape(_columns.Where(c => !drop.Contains(c.Name)));
    }

    /// <inheritdoc />
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _columns.Select(c => $"{c.Name}: {c.GetTypeString()}"));
}
