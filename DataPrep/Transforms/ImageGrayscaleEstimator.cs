namespace MlPipelines.DataPrep.Transforms;

/// <summary>The estimator of <see cref="ImageGrayscaleTransformer"/> (ctx.Transforms.ConvertToGrayscale).</summary>
public sealed class ImageGrayscaleEstimator : ImageToImageEstimatorBase<ImageGrayscaleTransformer>
{
    internal ImageGrayscaleEstimator(string outputColumnName, string inputColumnName)
        : base(new ImageGrayscaleTransformer(outputColumnName, inputColumnName))
    {
    }
}
