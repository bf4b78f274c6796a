using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// A random image transformation split in two (the Keras preprocessing-layer habit): <see cref="Sample"/>
/// draws every random choice into a small parameter record; <see cref="Apply"/> is deterministic given it.
/// Augmentations apply while training only; scoring leaves images untouched.
/// </summary>
/// <typeparam name="TParams">The record of sampled choices.</typeparam>
public abstract class ImageAugmentation<TParams> : IImageAugmentation
    where TParams : notnull
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>Draws the random choices for an image of the given size.</summary>
    public abstract TParams Sample(ref AugmentationRandom random, int width, int height);

    /// <summary>Applies the choices; the same image and parameters always give the same result.</summary>
    public abstract Image Apply(Image image, TParams parameters);

    /// <inheritdoc />
    public Image Augment(Image image, ref AugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Apply(image, Sample(ref random, image.Width, image.Height));
    }
}
