using MlPipelines.Data;
using MlPipelines.Internal;

namespace MlPipelines.Transforms;

/// <summary>A <see cref="ColumnMapperBase"/> as an <see cref="IRowToRowMapper"/>.</summary>
internal sealed class MapperRowToRowMapper(ColumnMapperBase mapper) : IRowToRowMapper
{
    public DataViewSchema InputSchema => mapper.InputSchema;

    public DataViewSchema OutputSchema => mapper.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        RowChecks.Columns(InputSchema, mapper.InputActive(RowChecks.ActiveSet(OutputSchema, dependingColumns)));

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        mapper.CheckInput(input.Schema);
        return new MappedRow(input, mapper, RowChecks.ActiveSet(OutputSchema, activeColumns));
    }
}

/// <summary>The identity mapper (training-only transformers when scoring).</summary>
internal sealed class IdentityRowToRowMapper(DataViewSchema schema) : IRowToRowMapper
{
    public DataViewSchema InputSchema => schema;

    public DataViewSchema OutputSchema => schema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        RowChecks.Columns(schema, RowChecks.ActiveSet(schema, dependingColumns));

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input;
    }
}

/// <summary>Mappers applied in sequence (a transformer chain).</summary>
internal sealed class CompositeRowToRowMapper : IRowToRowMapper
{
    private readonly IRowToRowMapper[] _mappers;

    public CompositeRowToRowMapper(DataViewSchema inputSchema, IRowToRowMapper[] mappers)
    {
        InputSchema = inputSchema;
        _mappers = mappers;
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema => _mappers.Length == 0 ? InputSchema : _mappers[^1].OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var columns = dependingColumns.ToList();
        for (int k = _mappers.Length - 1; k >= 0; k--) columns = _mappers[k].GetDependencies(columns).ToList();
        return columns;
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        var needed = new List<DataViewSchema.Column>[_mappers.Length];
        var columns = activeColumns.ToList();
        for (int k = _mappers.Length - 1; k >= 0; k--)
        {
            needed[k] = columns;
            columns = _mappers[k].GetDependencies(columns).ToList();
        }
        var row = input;
        for (int k = 0; k < _mappers.Length; k++) row = _mappers[k].GetRow(row, needed[k]);
        return row;
    }
}
