using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>Gaussian blur with a standard deviation drawn uniformly from <see cref="Sigma"/>, applied with probability <see cref="Probability"/>.</summary>
public sealed class RandomGaussianBlur : ImageAugmentation<RandomGaussianBlur.Parameters>
{
    /// <summary>The drawn sigma, or null when the image is left alone.</summary>
    public sealed record Parameters(double? Sigma);

    /// <summary>Creates the augmentation.</summary>
    public RandomGaussianBlur((double Min, double Max)? sigma = null, double probability = 1.0)
    {
        Sigma = sigma ?? (0.1, 2.0);
        if (!(Sigma.Min > 0 && Sigma.Min <= Sigma.Max)) throw new ArgumentOutOfRangeException(nameof(sigma), Sigma, "Sigma must satisfy 0 < min <= max.");
        if (probability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(probability));
        Probability = probability;
    }

    /// <summary>Range of the blur's standard deviation in pixels.</summary>
    public (double Min, double Max) Sigma { get; }

    /// <summary>Probability of blurring.</summary>
    public double Probability { get; }

    /// <inheritdoc />
    public override string Name => "GaussianBlur";

    /// <inheritdoc />
    public override Parameters Sample(ref AugmentationRandom random, int width, int height) =>
        new(random.Chance(Probability) ? random.Uniform(Sigma.Min, Sigma.Max) : null);

    /// <inheritdoc />
    public override Image Apply(Image image, Parameters p)
    {
        ArgumentNullException.ThrowIfNull(image);
        return p.Sigma is double s ? ColorOps.GaussianBlur(image, s) : image.Clone();
    }
}
