namespace MlPipelines.Transforms;

/// <summary>Maps rows with a user delegate (ML.NET's CustomMappingEstimator); reached from ctx.Transforms.CustomMapping.</summary>
/// <typeparam name="TSrc">The input row class: its members are read from same-named input columns.</typeparam>
/// <typeparam name="TDst">The output row class: its members become new columns.</typeparam>
public sealed class CustomMappingEstimator<TSrc, TDst> : TrivialEstimator<CustomMappingTransformer<TSrc, TDst>>
    where TSrc : class, new()
    where TDst : class, new()
{
    internal CustomMappingEstimator(ComponentCatalog catalog, Action<TSrc, TDst> mapAction, string? contractName)
        : base(new CustomMappingTransformer<TSrc, TDst>(catalog, mapAction, contractName))
    {
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var m in Transformer.Input.Members)
        {
            var required = SchemaShape.Column.FromType(m.ColumnName, m.Type, null);
            var actual = SchemaShapeChecks.RequireColumn(inputSchema, m.ColumnName, required.GetTypeString());
            bool fits = required.Kind == SchemaShape.Column.VectorKind.Scalar
                ? required.IsCompatibleWith(actual)
                : actual.Kind != SchemaShape.Column.VectorKind.Scalar && actual.ItemType.RawType == required.ItemType.RawType && actual.IsKey == required.IsKey
                    && (required.Dimensions.IsDefault || actual.Dimensions.IsDefault || required.IsCompatibleWith(actual));
            if (!fits) throw new SchemaMismatchException(m.ColumnName, required.GetTypeString(), actual.GetTypeString());
        }
        return inputSchema.With(Transformer.Output.Members.Select(m => SchemaShape.Column.FromType(m.ColumnName, m.Type, null)));
    }
}
