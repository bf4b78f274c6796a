using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>Mirrors the image horizontally and/or vertically, each with its own probability.</summary>
public sealed class RandomFlip : ImageAugmentation<RandomFlip.Parameters>
{
    /// <summary>Which flips were drawn.</summary>
    public sealed record Parameters(bool Horizontal, bool Vertical);

    /// <summary>Creates the augmentation; the default flips left-right half of the time.</summary>
    public RandomFlip(double horizontalProbability = 0.5, double verticalProbability = 0)
    {
        if (horizontalProbability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(horizontalProbability));
        if (verticalProbability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(verticalProbability));
        HorizontalProbability = horizontalProbability;
        VerticalProbability = verticalProbability;
    }

    /// <summary>Probability of a left-right flip.</summary>
    public double HorizontalProbability { get; }

    /// <summary>Probability of a top-bottom flip.</summary>
    public double VerticalProbability { get; }

    /// <inheritdoc />
    public override string Name => "RandomFlip";

    /// <inheritdoc />
    public override Parameters Sample(ref AugmentationRandom random, int width, int height)
    {
        bool h = random.Chance(HorizontalProbability);
        bool v = random.Chance(VerticalProbability);
        return new Parameters(h, v);
    }

    /// <inheritdoc />
    public override Image Apply(Image image, Parameters parameters)
    {
        ArgumentNullException.ThrowIfNull(image);
        Image result = parameters.Horizontal ? ImageOps.FlipHorizontal(image) : image;
        result = parameters.Vertical ? ImageOps.FlipVertical(result) : result;
        return ReferenceEquals(result, image) ? image.Clone() : result;
    }
}
