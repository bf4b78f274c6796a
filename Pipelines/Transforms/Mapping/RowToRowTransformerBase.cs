using MlPipelines.Data;
using MlPipelines.Model;

namespace MlPipelines.Transforms;

/// <summary>
/// Base of transformers that add columns computed row by row (ML.NET's RowToRowTransformerBase). Derive, implement
/// <see cref="MakeMapper"/> (validate the input schema there, throwing <see cref="SchemaMismatchException"/>) and
/// <see cref="Save"/>; Transform, GetOutputSchema and GetRowToRowMapper follow.
/// </summary>
public abstract class RowToRowTransformerBase : ITransformer
{
    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return MakeMapper(inputSchema).OutputSchema;
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return MakeMapper(inputSchema).AsRowToRowMapper();
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return MakeMapper(input.Schema).Transform(input);
    }

    /// <inheritdoc />
    public abstract void Save(ModelSaveContext context);

    /// <summary>The mapper for <paramref name="inputSchema"/>; throws <see cref="SchemaMismatchException"/> when the input does not fit.</summary>
    protected abstract ColumnMapperBase MakeMapper(DataViewSchema inputSchema);
}
