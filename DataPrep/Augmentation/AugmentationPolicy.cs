using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// The operation table shared by RandAugment and TrivialAugment: magnitude ranges over 31 bins
/// (torchvision's definitions; the "wide" ranges are TrivialAugment's) and how each operation is applied.
/// </summary>
public static class AugmentationPolicy
{
    /// <summary>Number of magnitude bins (magnitudes 0..30).</summary>
    public const int Bins = 31;

    /// <summary>All operations in table order.</summary>
    public static IReadOnlyList<PolicyOperation> Operations { get; } = Enum.GetValues<PolicyOperation>();

    /// <summary>Whether the operation's magnitude gets a random sign.</summary>
    public static bool IsSigned(PolicyOperation op) => op is PolicyOperation.ShearX or PolicyOperation.ShearY
        or PolicyOperation.TranslateX or PolicyOperation.TranslateY or PolicyOperation.Rotate
        or PolicyOperation.Brightness or PolicyOperation.Color or PolicyOperation.Contrast or PolicyOperation.Sharpness;

    /// <summary>The magnitude of bin <paramref name="bin"/> (0..30) for an image of the given size.</summary>
    public static double Magnitude(PolicyOperation op, int bin, int width, int height, bool wide)
    {
        if (bin is < 0 or >= Bins) throw new ArgumentOutOfRangeException(nameof(bin), bin, $"Bins run from 0 to {Bins - 1}.");
        double t = bin / (double)(Bins - 1);
        return op switch
        {
            PolicyOperation.ShearX or PolicyOperation.ShearY => t * (wide ? 0.99 : 0.3),
            PolicyOperation.TranslateX => t * (wide ? 32.0 : 150.0 / 331.0 * width),
            PolicyOperation.TranslateY => t * (wide ? 32.0 : 150.0 / 331.0 * height),
            PolicyOperation.Rotate => t * (wide ? 135.0 : 30.0),
            PolicyOperation.Brightness or PolicyOperation.Color or PolicyOperation.Contrast or PolicyOperation.Sharpness => t * (wide ? 0.99 : 0.9),
            PolicyOperation.Posterize => 8 - Math.Round(bin / ((Bins - 1) / (wide ? 6.0 : 4.0)), MidpointRounding.ToEven),
            PolicyOperation.Solarize => 255.0 * (1 - t),
            _ => 0,
        };
    }

    /// <summary>Applies one step (deterministic).</summary>
    public static Image Apply(Image image, PolicyStep step, PaddingMode fillMode = PaddingMode.Constant, byte fill = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(step);
        double m = step.Magnitude;
        double cx = image.Width / 2.0, cy = image.Height / 2.0;
        return step.Operation switch
        {
            PolicyOperation.Identity => image.Clone(),
            PolicyOperation.ShearX => ImageWarp.Affine(image, AffineMatrix.About(cx, cy, 0, 0, 0, 1, Math.Atan(m) * 180 / Math.PI, 0), fillMode, fill, ResamplingFilter.Nearest),
            PolicyOperation.ShearY => ImageWarp.Affine(image, AffineMatrix.About(cx, cy, 0, 0, 0, 1, 0, Math.Atan(m) * 180 / Math.PI), fillMode, fill, ResamplingFilter.Nearest),
            PolicyOperation.TranslateX => ImageWarp.Affine(image, AffineMatrix.About(cx, cy, 0, Math.Round(m), 0, 1, 0, 0), fillMode, fill, ResamplingFilter.Nearest),
            PolicyOperation.TranslateY => ImageWarp.Affine(image, AffineMatrix.About(cx, cy, 0, 0, Math.Round(m), 1, 0, 0), fillMode, fill, ResamplingFilter.Nearest),
            PolicyOperation.Rotate => ImageWarp.Affine(image, AffineMatrix.About(cx, cy, m, 0, 0, 1, 0, 0), fillMode, fill, ResamplingFilter.Nearest),
            PolicyOperation.Brightness => ColorOps.AdjustBrightness(image, 1 + m),
            PolicyOperation.Color => ColorOps.AdjustSaturation(image, 1 + m),
            PolicyOperation.Contrast => ColorOps.AdjustContrast(image, 1 + m),
            PolicyOperation.Sharpness => ColorOps.AdjustSharpness(image, 1 + m),
            PolicyOperation.Posterize => ColorOps.Posterize(image, (int)m),
            PolicyOperation.Solarize => ColorOps.Solarize(image, (int)Math.Round(m)),
            PolicyOperation.AutoContrast => ColorOps.AutoContrast(image),
            PolicyOperation.Equalize => ColorOps.Equalize(image),
            _ => throw new ArgumentOutOfRangeException(nameof(step), step.Operation, "Unknown operation."),
        };
    }

    /// <summary>Draws the step for an operation at a bin, with a random sign for signed operations.</summary>
    internal static PolicyStep Step(ref AugmentationRandom random, PolicyOperation op, int bin, int width, int height, bool wide)
    {
        double m = Magnitude(op, bin, width, height, wide);
        if (IsSigned(op) && random.Chance(0.5)) m = -m;
        return new PolicyStep(op, m);
    }
}
