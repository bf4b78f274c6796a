using MlPipelines.Data;

namespace MlPipelines.Transforms;

/// <summary>Concatenates scalar and vector columns of one item type into a vector (ML.NET's ColumnConcatenatingEstimator).</summary>
public sealed class ColumnConcatenatingEstimator : TrivialEstimator<ColumnConcatenatingTransformer>
{
    private readonly string _output;
    private readonly string[] _inputs;

    /// <summary>Concatenates <paramref name="inputColumnNames"/> into <paramref name="outputColumnName"/>.</summary>
    public ColumnConcatenatingEstimator(string outputColumnName, params string[] inputColumnNames)
        : base(new ColumnConcatenatingTransformer(outputColumnName, inputColumnNames))
    {
        _output = outputColumnName;
        _inputs = [.. inputColumnNames];
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        DataViewType? item = null;
        long size = 0;
        bool known = true;
        foreach (string name in _inputs)
        {
            string expected = item is null ? ColumnConcatenatingTransformer.Expected : $"{item} or Vector<{item}>";
            var column = SchemaShapeChecks.RequireColumn(inputSchema, name, expected);
            if (column.IsKey || !ColumnConcatenatingTransformer.IsConcatenable(column.ItemType) || (item is not null && !item.Equals(column.ItemType)))
                throw new SchemaMismatchException(name, expected, column.GetTypeString());
            item ??= column.ItemType;
            if (column.Kind == SchemaShape.Column.VectorKind.VariableVector || (column.Kind == SchemaShape.Column.VectorKind.Vector && column.Dimensions.IsDefault))
                known = false;
            else
                size += column.Kind == SchemaShape.Column.VectorKind.Scalar ? 1 : column.Dimensions.Aggregate(1L, (a, d) => a * d);
        }
        var kind = known ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector;
        return inputSchema.With([new SchemaShape.Column(_output, kind, item!, false, null, known ? [checked((int)size)] : null)]);
    }
}
