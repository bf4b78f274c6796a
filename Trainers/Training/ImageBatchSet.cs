namespace MlPipelines.Trainers.Training;

/// <summary>
/// Images as one contiguous [N, C, H, W] float array with integer labels (and, for MixUp/CutMix-style data, soft targets
/// [N, classes] whose rows sum to one): what the training loop consumes.
/// </summary>
public sealed class ImageBatchSet
{
    /// <summary>Wraps the arrays (not copied).</summary>
    public ImageBatchSet(float[] images, int[] labels, int channels, int height, int width, int classes)
        : this(images, labels, null, channels, height, width, classes)
    {
    }

    private ImageBatchSet(float[] images, int[] labels, float[]? softTargets, int channels, int height, int width, int classes)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (channels < 1 || height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(channels), "Image dimensions must be positive.");
        if (images.Length != (long)labels.Length * channels * height * width)
            throw new ArgumentException($"{labels.Length} labels need {labels.Length}x{channels}x{height}x{width} pixel values, got {images.Length}.", nameof(images));
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "Classification needs at least two classes.");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"Label {labels[i]} of example {i} is outside 0..{classes - 1}.", nameof(labels));
        (Images, Labels, SoftTargets, Channels, Height, Width, Classes) = (images, labels, softTargets, channels, height, width, classes);
    }

    /// <summary>
    /// Wraps images with soft targets [N, classes] (each row non-negative, summing to one within 1e-3); the hard label of a row
    /// (for accuracy) is its largest target.
    /// </summary>
    public static ImageBatchSet WithSoftTargets(float[] images, float[] softTargets, int channels, int height, int width, int classes)
    {
        ArgumentNullException.ThrowIfNull(softTargets);
        if (classes < 2 || softTargets.Length % classes != 0)
            throw new ArgumentException($"Soft targets hold {softTargets.Length} values, not a multiple of {classes} classes.", nameof(softTargets));
        var labels = new int[softTargets.Length / classes];
        for (int i = 0; i < labels.Length; i++)
        {
            ReadOnlySpan<float> row = softTargets.AsSpan(i * classes, classes);
            double sum = 0;
            foreach (float t in row)
            {
                if (!(t >= 0) || float.IsInfinity(t)) throw new ArgumentException($"Soft target row {i} holds {t}; targets must be finite and non-negative.", nameof(softTargets));
                sum += t;
            }
            if (Math.Abs(sum - 1) > 1e-3) throw new ArgumentException($"Soft target row {i} sums to {sum}, not 1.", nameof(softTargets));
            labels[i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row);
        }
        return new ImageBatchSet(images, labels, softTargets, channels, height, width, classes);
    }

    /// <summary>Pixels, [N, C, H, W].</summary>
    public float[] Images { get; }

    /// <summary>Class indexes (0-based).</summary>
    public int[] Labels { get; }

    /// <summary>Soft targets [N, classes], or null for hard labels.</summary>
    public float[]? SoftTargets { get; }

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Number of examples.</summary>
    public int Count => Labels.Length;

    /// <summary>Floats per image.</summary>
    public int ImageSize => Channels * Height * Width;
}
