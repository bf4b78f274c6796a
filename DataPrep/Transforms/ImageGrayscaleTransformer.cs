using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.Model;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>Converts images to one-channel gray (ITU-R 601 luma, as Pillow's "L"); the size is kept.</summary>
public sealed class ImageGrayscaleTransformer : ImageToImageTransformerBase
{
    internal const string ComponentName = "mlp.grayscale";

    internal ImageGrayscaleTransformer(string outputColumnName, string inputColumnName)
        : base(outputColumnName, inputColumnName)
    {
    }

    /// <inheritdoc />
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.SetOptions(new SavedOptions(OutputColumnName, InputColumnName));
    }

    internal static ImageGrayscaleTransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var o = context.GetOptions<SavedOptions>();
        return new ImageGrayscaleTransformer(o.OutputColumnName, o.InputColumnName);
    }

    internal override ImageDataViewType GetOutputType(ImageDataViewType inputType) => inputType;

    internal override Image Map(Image image) => image.Channels == 1 ? image : ImageOps.ToGrayscale(image);

    private sealed record SavedOptions(string OutputColumnName, string InputColumnName);
}
