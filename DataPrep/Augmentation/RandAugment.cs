using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// RandAugment (Cubuk et al. 2020): <see cref="Operations"/> operations drawn uniformly (with replacement) from
/// the policy table, each at the fixed magnitude bin <see cref="Magnitude"/> with a random sign where it applies.
/// </summary>
public sealed class RandAugment : ImageAugmentation<RandAugment.Parameters>
{
    /// <summary>The drawn steps, in order.</summary>
    public sealed record Parameters(IReadOnlyList<PolicyStep> Steps);

    /// <summary>Creates the augmentation (torchvision's defaults: 2 operations at magnitude 9).</summary>
    public RandAugment(int operations = 2, int magnitude = 9)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(operations, 1);
        if (magnitude is < 0 or >= AugmentationPolicy.Bins) throw new ArgumentOutOfRangeException(nameof(magnitude), magnitude, "Magnitude must lie in 0..30.");
        Operations = operations;
        Magnitude = magnitude;
    }

    /// <summary>Number of operations per image.</summary>
    public int Operations { get; }

    /// <summary>Magnitude bin (0..30).</summary>
    public int Magnitude { get; }

    /// <inheritdoc />
    public override string Name => "RandAugment";

    /// <inheritdoc />
    public override Parameters Sample(ref AugmentationRandom random, int width, int height)
    {
        var steps = new PolicyStep[Operations];
        var table = AugmentationPolicy.Operations;
        for (int i = 0; i < Operations; i++)
            steps[i] = AugmentationPolicy.Step(ref random, table[random.NextInt(table.Count)], Magnitude, width, height, wide: false);
        return new Parameters(steps);
    }

    /// <inheritdoc />
    public override Image Apply(Image image, Parameters parameters)
    {
        ArgumentNullException.ThrowIfNull(image);
        Image result = image;
        foreach (PolicyStep step in parameters.Steps) result = AugmentationPolicy.Apply(result, step);
        return ReferenceEquals(result, image) ? image.Clone() : result;
    }
}
