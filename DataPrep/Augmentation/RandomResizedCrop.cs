using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// Crops a random area (a share of the image drawn from <see cref="Scale"/>, an aspect ratio drawn
/// log-uniformly from <see cref="Ratio"/>) and resizes it to the output size — the Inception / torchvision
/// recipe: ten tries, then a centre crop at the nearest allowed ratio.
/// </summary>
public sealed class RandomResizedCrop : ImageAugmentation<RandomResizedCrop.Parameters>
{
    /// <summary>The sampled crop.</summary>
    public sealed record Parameters(SourceRegion Region);

    /// <summary>Creates the augmentation.</summary>
    public RandomResizedCrop(int width, int height, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null,
        ResamplingFilter filter = ResamplingFilter.Bilinear)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Scale = scale ?? (0.08, 1.0);
        Ratio = ratio ?? (3.0 / 4.0, 4.0 / 3.0);
        if (!(Scale.Min > 0 && Scale.Min <= Scale.Max && Scale.Max <= 1))
            throw new ArgumentOutOfRangeException(nameof(scale), Scale, "Scale must satisfy 0 < min <= max <= 1.");
        if (!(Ratio.Min > 0 && Ratio.Min <= Ratio.Max))
            throw new ArgumentOutOfRangeException(nameof(ratio), Ratio, "Ratio must satisfy 0 < min <= max.");
        Width = width;
        Height = height;
        Filter = filter;
    }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Range of the crop's share of the image area.</summary>
    public (double Min, double Max) Scale { get; }

    /// <summary>Range of the crop's width / height.</summary>
    public (double Min, double Max) Ratio { get; }

    /// <summary>Resampling filter.</summary>
    public ResamplingFilter Filter { get; }

    /// <inheritdoc />
    public override string Name => "RandomResizedCrop";

    /// <inheritdoc />
    public override Parameters Sample(ref AugmentationRandom random, int width, int height)
    {
        double area = (double)width * height;
        double logMin = Math.Log(Ratio.Min), logMax = Math.Log(Ratio.Max);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * random.Uniform(Scale.Min, Scale.Max);
            double aspect = Math.Exp(random.Uniform(logMin, logMax));
            int w = (int)Math.Round(Math.Sqrt(target * aspect));
            int h = (int)Math.Round(Math.Sqrt(target / aspect));
            if (w > 0 && h > 0 && w <= width && h <= height)
            {
                int y = random.NextIntInclusive(0, height - h);
                int x = random.NextIntInclusive(0, width - w);
                return new Parameters(new SourceRegion(x, y, w, h));
            }
        }
        // Fallback: the largest centred crop whose ratio lies within range.
        double inRatio = (double)width / height;
        int cw = width, ch = height;
        if (inRatio < Ratio.Min) ch = (int)Math.Round(width / Ratio.Min);
        else if (inRatio > Ratio.Max) cw = (int)Math.Round(height * Ratio.Max);
        return new Parameters(new SourceRegion((width - cw) / 2, (height - ch) / 2, cw, ch));
    }

    /// <inheritdoc />
    public override Image Apply(Image image, Parameters parameters) =>
        ImageResizer.Resize(image, parameters.Region, Width, Height, Filter);
}
