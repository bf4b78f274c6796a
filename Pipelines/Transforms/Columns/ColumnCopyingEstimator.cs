namespace MlPipelines.Transforms;

/// <summary>Copies columns under new names (ML.NET's ColumnCopyingEstimator).</summary>
public sealed class ColumnCopyingEstimator : TrivialEstimator<ColumnCopyingTransformer>
{
    private readonly (string OutputColumnName, string InputColumnName)[] _columns;

    /// <summary>Copies each input column to its output name.</summary>
    public ColumnCopyingEstimator(params (string OutputColumnName, string InputColumnName)[] columns)
        : base(new ColumnCopyingTransformer(columns))
    {
        _columns = [.. columns];
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var added = _columns.Select(c =>
        {
            var input = SchemaShapeChecks.RequireColumn(inputSchema, c.InputColumnName, "any column");
            return new SchemaShape.Column(c.OutputColumnName, input.Kind, input.ItemType, input.IsKey, input.Annotations,
                input.Dimensions.IsDefault ? null : input.Dimensions);
        }).ToList();
        return inputSchema.With(added);
    }
}
