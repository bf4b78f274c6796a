namespace MlPipelines.DataPrep.Transforms;

/// <summary>The estimator of <see cref="ImageAugmentingTransformer"/> (ctx.Transforms.Augment): nothing to learn; the schema is checked.</summary>
public sealed class ImageAugmentingEstimator : TrivialEstimator<ImageAugmentingTransformer>
{
    internal ImageAugmentingEstimator(ImageAugmentingTransformer transformer)
        : base(transformer)
    {
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var type = ImageColumnChecks.RequireImage(inputSchema, Transformer.InputColumnName);
        var output = SchemaShapeChecks.RequireColumn(inputSchema, Transformer.OutputColumnName, type.ToString());
        if (output.Kind != SchemaShape.Column.VectorKind.Scalar || !output.ItemType.Equals(type))
            throw new SchemaMismatchException(Transformer.OutputColumnName, type.ToString(), output.GetTypeString());
        return inputSchema;
    }
}
