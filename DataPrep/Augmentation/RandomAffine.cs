using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// Random rotation, translation, scaling and shear about the image centre (torchvision's RandomAffine):
/// angle uniform in ±<see cref="Degrees"/>, translation up to a share of the size, scale and shear in ranges.
/// Uncovered pixels are filled by <see cref="FillMode"/>.
/// </summary>
public sealed class RandomAffine : ImageAugmentation<RandomAffine.Parameters>
{
    /// <summary>The sampled transform.</summary>
    public sealed record Parameters(double Angle, double TranslateX, double TranslateY, double Scale, double ShearX, double ShearY);

    /// <summary>Creates the augmentation; with only <paramref name="degrees"/> it is a random rotation.</summary>
    public RandomAffine(double degrees, (double X, double Y)? translate = null, (double Min, double Max)? scale = null,
        (double Min, double Max)? shear = null, PaddingMode fillMode = PaddingMode.Constant, byte fill = 0,
        ResamplingFilter filter = ResamplingFilter.Bilinear)
    {
        if (!(degrees >= 0)) throw new ArgumentOutOfRangeException(nameof(degrees), degrees, "Degrees must be non-negative.");
        Degrees = degrees;
        Translate = translate ?? (0, 0);
        ScaleRange = scale ?? (1, 1);
        Shear = shear ?? (0, 0);
        if (Translate.X is < 0 or > 1 || Translate.Y is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(translate), Translate, "Translation shares must lie in [0, 1].");
        if (!(ScaleRange.Min > 0 && ScaleRange.Min <= ScaleRange.Max))
            throw new ArgumentOutOfRangeException(nameof(scale), ScaleRange, "Scale must satisfy 0 < min <= max.");
        if (Shear.Min > Shear.Max) throw new ArgumentOutOfRangeException(nameof(shear), Shear, "Shear must satisfy min <= max.");
        FillMode = fillMode;
        Fill = fill;
        Filter = filter;
    }

    /// <summary>Largest rotation in degrees, either way.</summary>
    public double Degrees { get; }

    /// <summary>Largest translation as shares of width and height.</summary>
    public (double X, double Y) Translate { get; }

    /// <summary>Range of the scale factor.</summary>
    public (double Min, double Max) ScaleRange { get; }

    /// <summary>Range of the x shear in degrees (the y shear stays 0, as torchvision's one-range form).</summary>
    public (double Min, double Max) Shear { get; }

    /// <summary>What fills uncovered pixels.</summary>
    public PaddingMode FillMode { get; }

    /// <summary>Fill value for <see cref="PaddingMode.Constant"/>.</summary>
    public byte Fill { get; }

    /// <summary>Sampling filter (bilinear or nearest).</summary>
    public ResamplingFilter Filter { get; }

    /// <inheritdoc />
    public override string Name => "RandomAffine";

    /// <inheritdoc />
    public override Parameters Sample(ref AugmentationRandom random, int width, int height)
    {
        double angle = random.Uniform(-Degrees, Degrees);
        double tx = Math.Round(random.Uniform(-Translate.X, Translate.X) * width);
        double ty = Math.Round(random.Uniform(-Translate.Y, Translate.Y) * height);
        double scale = random.Uniform(ScaleRange.Min, ScaleRange.Max);
        double shear = random.Uniform(Shear.Min, Shear.Max);
        return new Parameters(angle, tx, ty, scale, shear, 0);
    }

    /// <inheritdoc />
    public override Image Apply(Image image, Parameters p)
    {
        ArgumentNullException.ThrowIfNull(image);
        var m = AffineMatrix.About(image.Width / 2.0, image.Height / 2.0, p.Angle, p.TranslateX, p.TranslateY, p.Scale, p.ShearX, p.ShearY);
        return ImageWarp.Affine(image, m, FillMode, Fill, Filter);
    }
}
