using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// AlexNet's "PCA lighting" noise: adds to every pixel the RGB vector sum_i alpha_i * lambda_i * v_i, with
/// alpha_i ~ N(0, <see cref="AlphaStd"/>) and (lambda_i, v_i) the eigenvalues and eigenvectors of the RGB
/// covariance of ImageNet's pixels (on the [0, 1] scale, as published with fb.resnet.torch).
/// </summary>
public sealed class PcaLighting : ImageAugmentation<PcaLighting.Parameters>
{
    private static readonly double[] EigenValues = [0.2175, 0.0188, 0.0045];

    // Columns are eigenvectors.
    private static readonly double[,] EigenVectors =
    {
        { -0.5675, 0.7192, 0.4009 },
        { -0.5808, -0.0045, -0.8140 },
        { -0.5836, -0.6948, 0.4203 },
    };

    /// <summary>The drawn alphas.</summary>
    public sealed record Parameters(double Alpha0, double Alpha1, double Alpha2);

    /// <summary>Creates the augmentation (AlexNet used 0.1).</summary>
    public PcaLighting(double alphaStd = 0.1)
    {
        if (!(alphaStd >= 0)) throw new ArgumentOutOfRangeException(nameof(alphaStd));
        AlphaStd = alphaStd;
    }

    /// <summary>Standard deviation of each alpha.</summary>
    public double AlphaStd { get; }

    /// <inheritdoc />
    public override string Name => "PcaLighting";

    /// <inheritdoc />
    public override Parameters Sample(ref AugmentationRandom random, int width, int height)
    {
        double a0 = random.NextNormal() * AlphaStd;
        double a1 = random.NextNormal() * AlphaStd;
        double a2 = random.NextNormal() * AlphaStd;
        return new Parameters(a0, a1, a2);
    }

    /// <inheritdoc />
    public override Image Apply(Image image, Parameters p)
    {
        double[] alpha = [p.Alpha0, p.Alpha1, p.Alpha2];
        Span<double> rgb = stackalloc double[3];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 3; i++) rgb[c] += EigenVectors[c, i] * alpha[i] * EigenValues[i];
        return ColorOps.AddRgbOffset(image, rgb[0] * 255, rgb[1] * 255, rgb[2] * 255);
    }
}
