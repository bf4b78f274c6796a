using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// Random erasing / cutout (Zhong et al. 2017): with probability <see cref="Probability"/>, a rectangle covering a
/// share of the area drawn from <see cref="Scale"/>, with an aspect ratio drawn log-uniformly from <see cref="Ratio"/>,
/// is filled with a constant or with random noise.
/// </summary>
public sealed class RandomErasing : ImageAugmentation<RandomErasing.Parameters>
{
    /// <summary>The erased rectangle (null when nothing is erased) and the seed of its noise.</summary>
    public sealed record Parameters(int? X, int? Y, int Width, int Height, ulong NoiseSeed);

    /// <summary>Creates the augmentation; a null <paramref name="fill"/> erases with uniform random noise.</summary>
    public RandomErasing(double probability = 0.5, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null, byte? fill = 0)
    {
        if (probability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(probability));
        Scale = scale ?? (0.02, 0.33);
        Ratio = ratio ?? (0.3, 3.3);
        if (!(Scale.Min > 0 && Scale.Min <= Scale.Max && Scale.Max <= 1)) throw new ArgumentOutOfRangeException(nameof(scale));
        if (!(Ratio.Min > 0 && Ratio.Min <= Ratio.Max)) throw new ArgumentOutOfRangeException(nameof(ratio));
        Probability = probability;
        Fill = fill;
    }

    /// <summary>Probability of erasing.</summary>
    public double Probability { get; }

    /// <summary>Range of the erased share of the area.</summary>
    public (double Min, double Max) Scale { get; }

    /// <summary>Range of the rectangle's aspect ratio.</summary>
    public (double Min, double Max) Ratio { get; }

    /// <summary>Constant fill, or null for random noise.</summary>
    public byte? Fill { get; }

    /// <inheritdoc />
    public override string Name => "RandomErasing";

    /// <inheritdoc />
    public override Parameters Sample(ref AugmentationRandom random, int width, int height)
    {
        if (!random.Chance(Probability)) return new Parameters(null, null, 0, 0, 0);
        double area = (double)width * height;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * random.Uniform(Scale.Min, Scale.Max);
            double aspect = Math.Exp(random.Uniform(Math.Log(Ratio.Min), Math.Log(Ratio.Max)));
            int h = (int)Math.Round(Math.Sqrt(target * aspect));
            int w = (int)Math.Round(Math.Sqrt(target / aspect));
            if (w >= 1 && h >= 1 && w < width && h < height)
            {
                int y = random.NextIntInclusive(0, height - h);
                int x = random.NextIntInclusive(0, width - w);
                return new Parameters(x, y, w, h, random.NextUInt64());
            }
        }
        return new Parameters(null, null, 0, 0, 0);
    }

    /// <inheritdoc />
    public override Image Apply(Image image, Parameters p)
    {
        ArgumentNullException.ThrowIfNull(image);
        Image result = image.Clone();
        if (p.X is not int x || p.Y is not int y) return result;
        var noise = new AugmentationRandom(p.NoiseSeed);
        int c = image.Channels;
        for (int r = y; r < y + p.Height; r++)
        {
            Span<byte> row = result.Row(r).Slice(x * c, p.Width * c);
            for (int i = 0; i < row.Length; i++)
            {
                if (c == 4 && i % 4 == 3) continue; // keep alpha
                row[i] = Fill ?? (byte)noise.NextInt(256);
            }
        }
        return result;
    }
}
