using MlPipelines.DataPrep.Data;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>The estimator of <see cref="VectorToImageTransformer"/> (ctx.Transforms.ConvertToImage).</summary>
public sealed class VectorToImageEstimator : TrivialEstimator<VectorToImageTransformer>
{
    internal VectorToImageEstimator(VectorToImageTransformer transformer)
        : base(transformer)
    {
    }

    /// <inheritdoc />
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var column = SchemaShapeChecks.RequireColumn(inputSchema, Transformer.InputColumnName, "Vector<Single, C, H, W>");
        var (width, height) = Transformer.ImageSize(column);
        return inputSchema.With([ImageColumnChecks.ImageShape(Transformer.OutputColumnName, new ImageDataViewType(height, width))]);
    }
}
