using MlPipelines.Data;
using MlPipelines.Model;

namespace MlPipelines.Transforms;

/// <summary>
/// Base of training-only transformers (augmentation): <see cref="TransformForTraining"/> applies the mapper,
/// everything else is the identity. The mapper's added columns must replace input columns of the same name and type.
/// </summary>
public abstract class TrainingOnlyTransformerBase : ITrainingOnlyTransformer
{
    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckedMapper(inputSchema);
        return inputSchema;
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckedMapper(inputSchema);
        return new IdentityRowToRowMapper(inputSchema);
    }

    /// <summary>The identity: scoring sees the data as it is.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckedMapper(input.Schema);
        return input;
    }

    /// <inheritdoc />
    public IDataView TransformForTraining(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CheckedMapper(input.Schema).Transform(input);
    }

    /// <inheritdoc />
    public abstract void Save(ModelSaveContext context);

    /// <summary>The training-time mapper for <paramref name="inputSchema"/>; throws <see cref="SchemaMismatchException"/> when the input does not fit.</summary>
    protected abstract ColumnMapperBase MakeMapper(DataViewSchema inputSchema);

    private ColumnMapperBase CheckedMapper(DataViewSchema inputSchema)
    {
        var mapper = MakeMapper(inputSchema);
        foreach (var c in mapper.OutputColumns)
        {
            var existing = inputSchema.GetColumnOrNull(c.Name);
            if (existing is null || !existing.Value.Type.Equals(c.Type))
                throw new InvalidOperationException(
                    $"Training-only transformer {GetType().Name} adds column '{c.Name}' of type {c.Type}; it must replace an input column of that name and type.");
        }
        return mapper;
    }
}
