using MlPipelines.Data;
using MlPipelines.Internal;
using MlPipelines.Model;

namespace MlPipelines.Transforms;

/// <summary>Keeps only the named columns (in order), or drops the named columns (every column of each name).</summary>
public sealed class ColumnSelectingTransformer : ITransformer
{
    internal const string ComponentName = "mlp.select_columns";
    private readonly string[] _names;
    private readonly bool _keep;

    internal ColumnSelectingTransformer(string[] names, bool keep)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Length == 0 || names.Any(string.IsNullOrEmpty)) throw new ArgumentException("Give one or more column names.", nameof(names));
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length) throw new ArgumentException("A column name is given twice.", nameof(names));
        _names = names;
        _keep = keep;
    }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Select(inputSchema).Schema;

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (schema, map) = Select(input.Schema);
        return new SelectedDataView(input, schema, map);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        var (schema, map) = Select(inputSchema);
        return new Mapper(inputSchema, schema, map);
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.SetOptions(new SavedOptions(_names, _keep));
    }

    internal static ITransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var saved = context.GetOptions<SavedOptions>();
        return new ColumnSelectingTransformer(saved.ColumnNames, saved.Keep);
    }

    private (DataViewSchema Schema, int[] Map) Select(DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        foreach (string n in _names) SchemaShapeChecks.RequireColumn(input, n, "any column");
        int[] map = _keep
            ? _names.Select(n => input[n].Index).ToArray()
            : input.Where(c => !_names.Contains(c.Name, StringComparer.Ordinal)).Select(c => c.Index).ToArray();
        var schema = new DataViewSchema.Builder().AddColumns(map.Select(i => input[i])).ToSchema();
        return (schema, map);
    }

    private sealed record SavedOptions(string[] ColumnNames, bool Keep);

    private sealed class Mapper(DataViewSchema input, DataViewSchema output, int[] map) : IRowToRowMapper
    {
        public DataViewSchema InputSchema => input;

        public DataViewSchema OutputSchema => output;

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
            RowChecks.Columns(input, SelectedDataView.InnerActive(input, RowChecks.ActiveSet(output, dependingColumns), map));

        public DataViewRow GetRow(DataViewRow row, IEnumerable<DataViewSchema.Column> activeColumns)
        {
            ArgumentNullException.ThrowIfNull(row);
            return new SelectedRow(row, output, map, RowChecks.ActiveSet(output, activeColumns));
        }
    }
}
