using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// Random brightness, contrast, saturation and hue changes applied in a random order (torchvision's ColorJitter).
/// A strength s draws a factor uniformly from [max(0, 1 - s), 1 + s]; hue draws a shift from [-h, h] (h at most 0.5).
/// </summary>
public sealed class ColorJitter : ImageAugmentation<ColorJitter.Parameters>
{
    /// <summary>The drawn factors (null when that adjustment is off) and the order to apply them in (0 brightness, 1 contrast, 2 saturation, 3 hue).</summary>
    public sealed record Parameters(double? Brightness, double? Contrast, double? Saturation, double? Hue, IReadOnlyList<int> Order);

    /// <summary>Creates the augmentation; 0 turns an adjustment off.</summary>
    public ColorJitter(double brightness = 0, double contrast = 0, double saturation = 0, double hue = 0)
    {
        if (brightness < 0 || contrast < 0 || saturation < 0) throw new ArgumentOutOfRangeException(nameof(brightness), "Strengths must be non-negative.");
        if (hue is < 0 or > 0.5) throw new ArgumentOutOfRangeException(nameof(hue), hue, "Hue strength must lie in [0, 0.5].");
        Brightness = brightness;
        Contrast = contrast;
        Saturation = saturation;
        Hue = hue;
    }

    /// <summary>Brightness strength.</summary>
    public double Brightness { get; }

    /// <summary>Contrast strength.</summary>
    public double Contrast { get; }

    /// <summary>Saturation strength.</summary>
    public double Saturation { get; }

    /// <summary>Hue strength (share of a full turn).</summary>
    public double Hue { get; }

    /// <inheritdoc />
    public override string Name => "ColorJitter";

    /// <inheritdoc />
    public override Parameters Sample(ref AugmentationRandom random, int width, int height)
    {
        int[] order = [0, 1, 2, 3];
        for (int i = 3; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        double? Factor(ref AugmentationRandom r, double s) => s == 0 ? null : r.Uniform(Math.Max(0, 1 - s), 1 + s);
        double? b = Factor(ref random, Brightness);
        double? c = Factor(ref random, Contrast);
        double? s = Factor(ref random, Saturation);
        double? h = Hue == 0 ? null : random.Uniform(-Hue, Hue);
        return new Parameters(b, c, s, h, order);
    }

    /// <inheritdoc />
    public override Image Apply(Image image, Parameters p)
    {
        ArgumentNullException.ThrowIfNull(image);
        Image result = image;
        foreach (int op in p.Order)
        {
            result = op switch
            {
                0 when p.Brightness is double b => ColorOps.AdjustBrightness(result, b),
                1 when p.Contrast is double c => ColorOps.AdjustContrast(result, c),
                2 when p.Saturation is double s => ColorOps.AdjustSaturation(result, s),
                3 when p.Hue is double h => ColorOps.AdjustHue(result, h),
                _ => result,
            };
        }
        return ReferenceEquals(result, image) ? image.Clone() : result;
    }
}
