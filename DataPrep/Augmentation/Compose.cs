using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>Applies several augmentations in order, each drawing from the same example stream.</summary>
public sealed class Compose : IImageAugmentation
{
    /// <summary>Creates the sequence.</summary>
    public Compose(params IImageAugmentation[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Any(s => s is null)) throw new ArgumentException("A step is null.", nameof(steps));
        Steps = steps.ToArray();
    }

    /// <summary>The augmentations, in application order.</summary>
    public IReadOnlyList<IImageAugmentation> Steps { get; }

    /// <inheritdoc />
    public string Name => string.Join(" > ", Steps.Select(s => s.Name));

    /// <inheritdoc />
    public Image Augment(Image image, ref AugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(image);
        Image result = image;
        foreach (IImageAugmentation step in Steps) result = step.Augment(result, ref random);
        return ReferenceEquals(result, image) ? image.Clone() : result;
    }
}
