using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>The estimator of <see cref="ImageResizingTransformer"/> (ctx.Transforms.ResizeImages).</summary>
public sealed class ImageResizingEstimator : ImageToImageEstimatorBase<ImageResizingTransformer>
{
    internal ImageResizingEstimator(string outputColumnName, int width, int height, string inputColumnName, ImageResizeMode mode, ImageAnchor anchor, ResamplingFilter filter)
        : base(new ImageResizingTransformer(outputColumnName, width, height, inputColumnName, mode, anchor, filter))
    {
    }
}
