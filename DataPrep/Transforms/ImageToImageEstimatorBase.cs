namespace MlPipelines.DataPrep.Transforms;

/// <summary>Base of the estimators of <see cref="ImageToImageTransformerBase"/> transformers: nothing to learn, the schema is checked.</summary>
/// <typeparam name="TTransformer">The transformer.</typeparam>
public abstract class ImageToImageEstimatorBase<TTransformer> : TrivialEstimator<TTransformer>
    where TTransformer : ImageToImageTransformerBase
{
    private protected ImageToImageEstimatorBase(TTransformer transformer)
        : base(transformer)
    {
    }

    /// <inheritdoc />
    public sealed override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var type = ImageColumnChecks.RequireImage(inputSchema, Transformer.InputColumnName);
        return inputSchema.With([ImageColumnChecks.ImageShape(Transformer.OutputColumnName, Transformer.GetOutputType(type))]);
    }
}
