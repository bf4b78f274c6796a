using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.Model;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>Crops the centre <see cref="Width"/> x <see cref="Height"/> of each image; smaller images are first padded with black (torchvision's CenterCrop).</summary>
public sealed class ImageCroppingTransformer : ImageToImageTransformerBase
{
    internal const string ComponentName = "mlp.center_crop";

    internal ImageCroppingTransformer(string outputColumnName, int width, int height, string inputColumnName)
        : base(outputColumnName, inputColumnName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
    }

    /// <summary>Crop width.</summary>
    public int Width { get; }

    /// <summary>Crop height.</summary>
    public int Height { get; }

    /// <inheritdoc />
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.SetOptions(new SavedOptions(OutputColumnName, InputColumnName, Width, Height));
    }

    internal static ImageCroppingTransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var o = context.GetOptions<SavedOptions>();
        return new ImageCroppingTransformer(o.OutputColumnName, o.Width, o.Height, o.InputColumnName);
    }

    internal override ImageDataViewType GetOutputType(ImageDataViewType inputType) => new(Height, Width);

    internal override Image Map(Image image) =>
        image.Width == Width && image.Height == Height ? image : ImageOps.CenterCrop(image, Width, Height);

    private sealed record SavedOptions(string OutputColumnName, string InputColumnName, int Width, int Height);
}
