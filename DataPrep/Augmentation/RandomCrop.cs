using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// Pads every side by <see cref="Padding"/> pixels, then crops a random <see cref="Width"/> x <see cref="Height"/>
/// window: the CIFAR "padded crop" recipe (4 pixels on 32x32, 2 on 28x28).
/// </summary>
public sealed class RandomCrop : ImageAugmentation<RandomCrop.Parameters>
{
    /// <summary>The window's top-left corner in the padded image.</summary>
    public sealed record Parameters(int X, int Y);

    /// <summary>Creates the augmentation.</summary>
    public RandomCrop(int width, int height, int padding = 0, PaddingMode mode = PaddingMode.Constant, byte fill = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        Width = width;
        Height = height;
        Padding = padding;
        Mode = mode;
        Fill = fill;
    }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Pixels added on every side before cropping.</summary>
    public int Padding { get; }

    /// <summary>How the padding is filled.</summary>
    public PaddingMode Mode { get; }

    /// <summary>Fill value for <see cref="PaddingMode.Constant"/>.</summary>
    public byte Fill { get; }

    /// <inheritdoc />
    public override string Name => "RandomCrop";

    /// <inheritdoc />
    public override Parameters Sample(ref AugmentationRandom random, int width, int height)
    {
        int pw = width + 2 * Padding, ph = height + 2 * Padding;
        if (pw < Width || ph < Height)
            throw new ArgumentException($"A {Width}x{Height} crop does not fit a {width}x{height} image padded by {Padding}.");
        return new Parameters(random.NextIntInclusive(0, pw - Width), random.NextIntInclusive(0, ph - Height));
    }

    /// <inheritdoc />
    public override Image Apply(Image image, Parameters parameters)
    {
        ArgumentNullException.ThrowIfNull(image);
        Image padded = Padding == 0 ? image : ImageOps.Pad(image, Padding, Padding, Padding, Padding, Mode, Fill);
        return ImageOps.Crop(padded, parameters.X, parameters.Y, Width, Height);
    }
}
