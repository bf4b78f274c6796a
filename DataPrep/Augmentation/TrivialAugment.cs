using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// TrivialAugment Wide (Müller and Hutter 2021): one operation drawn uniformly from the policy table at a
/// magnitude bin drawn uniformly from 0..30, with the wide magnitude ranges. No hyper-parameters.
/// </summary>
public sealed class TrivialAugment : ImageAugmentation<PolicyStep>
{
    /// <inheritdoc />
    public override string Name => "TrivialAugment";

    /// <inheritdoc />
    public override PolicyStep Sample(ref AugmentationRandom random, int width, int height)
    {
        var table = AugmentationPolicy.Operations;
        PolicyOperation op = table[random.NextInt(table.Count)];
        int bin = random.NextInt(AugmentationPolicy.Bins);
        return AugmentationPolicy.Step(ref random, op, bin, width, height, wide: true);
    }

    /// <inheritdoc />
    public override Image Apply(Image image, PolicyStep parameters) => AugmentationPolicy.Apply(image, parameters);
}
