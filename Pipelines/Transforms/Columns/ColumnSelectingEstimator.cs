namespace MlPipelines.Transforms;

/// <summary>Keeps or drops columns (ML.NET's ColumnSelectingEstimator): ctx.Transforms.SelectColumns / DropColumns.</summary>
public sealed class ColumnSelectingEstimator : TrivialEstimator<ColumnSelectingTransformer>
{
    private readonly string[] _names;
    private readonly bool _keep;

    private ColumnSelectingEstimator(string[] names, bool keep)
        : base(new ColumnSelectingTransformer(names, keep))
    {
        _names = names;
        _keep = keep;
    }

    /// <summary>Keeps only <paramref name="columnNames"/>, in that order.</summary>
    public static ColumnSelectingEstimator Keep(params string[] columnNames) => new([.. columnNames], true);

    /// <summary>Drops <paramref name="columnNames"/>.</summary>
    public static ColumnSelectingEstimator Drop(params string[] columnNames) => new([.. columnNames], false);

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var columns = _names.Select(n => SchemaShapeChecks.RequireColumn(inputSchema, n, "any column")).ToList();
        return _keep ? new SchemaShape(columns) : inputSchema.Without(_names);
    }
}
