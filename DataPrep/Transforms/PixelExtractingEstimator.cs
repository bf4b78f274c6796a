namespace MlPipelines.DataPrep.Transforms;

/// <summary>The estimator of <see cref="PixelExtractingTransformer"/> (ctx.Transforms.ExtractPixels).</summary>
public sealed class PixelExtractingEstimator : TrivialEstimator<PixelExtractingTransformer>
{
    internal PixelExtractingEstimator(PixelExtractingTransformer transformer)
        : base(transformer)
    {
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var image = ImageColumnChecks.RequireImage(inputSchema, Transformer.InputColumnName);
        var type = Transformer.GetOutputType(image);
        var column = SchemaShape.Column.FromType(Transformer.OutputColumnName, type, null);
        return inputSchema.With([column]);
    }
}
