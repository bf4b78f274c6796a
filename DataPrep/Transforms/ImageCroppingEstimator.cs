namespace MlPipelines.DataPrep.Transforms;

/// <summary>The estimator of <see cref="ImageCroppingTransformer"/> (ctx.Transforms.CenterCrop).</summary>
public sealed class ImageCroppingEstimator : ImageToImageEstimatorBase<ImageCroppingTransformer>
{
    internal ImageCroppingEstimator(string outputColumnName, int width, int height, string inputColumnName)
        : base(new ImageCroppingTransformer(outputColumnName, width, height, inputColumnName))
    {
    }
}
