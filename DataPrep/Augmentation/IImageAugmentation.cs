using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>Any per-image augmentation, whatever its parameter record: what pipelines and galleries hold.</summary>
public interface IImageAugmentation
{
    /// <summary>Short name for logs and galleries, e.g. "RandomResizedCrop".</summary>
    string Name { get; }

    /// <summary>Samples and applies in one call.</summary>
    Image Augment(Image image, ref AugmentationRandom random);
}
