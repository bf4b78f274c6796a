namespace MlPipelines.Trainers.Training;

/// <summary>Images as one contiguous [N, C, H, W] float array with integer labels: what the training loop consumes.</summary>
public sealed class ImageBatchSet
{
    /// <summary>Wraps the arrays (not copied).</summary>
    public ImageBatchSet(float[] images, int[] labels, int channels, int height, int width, int classes)
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
        (Images, Labels, Channels, Height, Width, Classes) = (images, labels, channels, height, width, classes);
    }

    public float[] Images { get; }
    public int[] Labels { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Classes { get; }
    public int Count => Labels.Length;
    public int ImageSize => Channels * Height * Width;
}
