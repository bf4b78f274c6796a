using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.Model;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>
/// Resizes images to <see cref="Width"/> x <see cref="Height"/> (ML.NET's ImageResizingTransformer) with an antialiased
/// separable filter. IsoCrop resamples only the kept region (one pass); IsoPad resizes then pads with black. An image
/// already of the target size is passed through unchanged.
/// </summary>
public sealed class ImageResizingTransformer : ImageToImageTransformerBase
{
    internal const string ComponentName = "mlp.resize_images";

    internal ImageResizingTransformer(string outputColumnName, int width, int height, string inputColumnName,
        ImageResizeMode mode, ImageAnchor anchor, ResamplingFilter filter)
        : base(outputColumnName, inputColumnName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown resize mode.");
        if (!Enum.IsDefined(anchor)) throw new ArgumentOutOfRangeException(nameof(anchor), anchor, "Unknown anchor.");
        if (!Enum.IsDefined(filter)) throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown filter.");
        Width = width;
        Height = height;
        Mode = mode;
        Anchor = anchor;
        Filter = filter;
    }

    /// <summary>Target width.</summary>
    public int Width { get; }

    /// <summary>Target height.</summary>
    public int Height { get; }

    /// <summary>How the aspect ratio is handled.</summary>
    public ImageResizeMode Mode { get; }

    /// <summary>Where the crop or the padded image sits.</summary>
    public ImageAnchor Anchor { get; }

    /// <summary>The resampling filter.</summary>
    public ResamplingFilter Filter { get; }

    /// <summary>Resizes one image as this transformer does.</summary>
    public static Image Resize(Image image, int width, int height, ImageResizeMode mode, ImageAnchor anchor = ImageAnchor.Center,
        ResamplingFilter filter = ResamplingFilter.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width == width && image.Height == height) return image;
        int w = image.Width, h = image.Height;
        switch (mode)
        {
            case ImageResizeMode.Fill:
                return ImageResizer.Resize(image, width, height, filter);
            case ImageResizeMode.IsoCrop:
            {
                double scale = Math.Max((double)width / w, (double)height / h);
                double rw = Math.Min(w, width / scale), rh = Math.Min(h, height / scale);
                var (fx, fy) = Placement(anchor);
                return ImageResizer.Resize(image, new SourceRegion((w - rw) * fx, (h - rh) * fy, rw, rh), width, height, filter);
            }
            case ImageResizeMode.IsoPad:
            {
                double scale = Math.Min((double)width / w, (double)height / h);
                int nw = Math.Clamp((int)Math.Round(w * scale), 1, width), nh = Math.Clamp((int)Math.Round(h * scale), 1, height);
                var resized = nw == w && nh == h ? image : ImageResizer.Resize(image, nw, nh, filter);
                var (fx, fy) = Placement(anchor);
                int left = (int)((width - nw) * fx), top = (int)((height - nh) * fy);
                return ImageOps.Pad(resized, left, top, width - nw - left, height - nh - top, PaddingMode.Constant);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown resize mode.");
        }
    }

    /// <inheritdoc />
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.SetOptions(new SavedOptions(OutputColumnName, InputColumnName, Width, Height, Mode, Anchor, Filter));
    }

    internal static ImageResizingTransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var o = context.GetOptions<SavedOptions>();
        return new ImageResizingTransformer(o.OutputColumnName, o.Width, o.Height, o.InputColumnName, o.Mode, o.Anchor, o.Filter);
    }

    internal override ImageDataViewType GetOutputType(ImageDataViewType inputType) => new(Height, Width);

    internal override Image Map(Image image) => Resize(image, Width, Height, Mode, Anchor, Filter);

    /// <summary>Fractions of the slack before the kept/placed part, horizontally and vertically.</summary>
    private static (double X, double Y) Placement(ImageAnchor anchor) => anchor switch
    {
        ImageAnchor.Left => (0, 0.5),
        ImageAnchor.Right => (1, 0.5),
        ImageAnchor.Top => (0.5, 0),
        ImageAnchor.Bottom => (0.5, 1),
        _ => (0.5, 0.5),
    };

    private sealed record SavedOptions(string OutputColumnName, string InputColumnName, int Width, int Height, ImageResizeMode Mode, ImageAnchor Anchor, ResamplingFilter Filter);
}
