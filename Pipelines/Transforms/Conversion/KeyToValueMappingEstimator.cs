using MlPipelines.Data;

namespace MlPipelines.Transforms;

/// <summary>Maps keys back to their values via the KeyValues annotation (ML.NET's KeyToValueMappingEstimator).</summary>
public sealed class KeyToValueMappingEstimator : TrivialEstimator<KeyToValueMappingTransformer>
{
    private readonly string _output;
    private readonly string _input;

    /// <summary>Maps the keys of <paramref name="inputColumnName"/> to values in <paramref name="outputColumnName"/>.</summary>
    public KeyToValueMappingEstimator(string outputColumnName, string inputColumnName)
        : base(new KeyToValueMappingTransformer(outputColumnName, inputColumnName))
    {
        _output = outputColumnName;
        _input = inputColumnName;
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        const string Expected = "a key scalar with KeyValues";
        var input = SchemaShapeChecks.RequireColumn(inputSchema, _input, Expected);
        if (!input.IsKey || input.Kind != SchemaShape.Column.VectorKind.Scalar
            || !input.Annotations.TryFindColumn(AnnotationKinds.KeyValues, out var values) || values.Kind == SchemaShape.Column.VectorKind.Scalar)
            throw new SchemaMismatchException(_input, Expected, input.GetTypeString() + (input.IsKey ? " without KeyValues" : ""));
        return inputSchema.With([new SchemaShape.Column(_output, SchemaShape.Column.VectorKind.Scalar, values.ItemType, false)]);
    }
}
