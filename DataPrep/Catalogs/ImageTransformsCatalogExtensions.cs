using MlPipelines.DataPrep.Augmentation;
using MlPipelines.DataPrep.Processing;
using MlPipelines.DataPrep.Transforms;

namespace MlPipelines;

/// <summary>Image transforms on ctx.Transforms (ML.NET's ImageAnalytics names, plus per-channel normalisation and augmentation).</summary>
public static class ImageTransformsCatalogExtensions
{
    /// <summary>
    /// Decodes the files named by <paramref name="inputColumnName"/> (text; resolved against <paramref name="imageFolder"/>)
    /// into the image column <paramref name="outputColumnName"/>, lazily. Fit first decodes every file once and, with
    /// <paramref name="badFilePolicy"/> Fail (default), throws <see cref="BadImageFilesException"/> listing the bad ones;
    /// with Skip, drops their rows, logs them and lists them in <see cref="ImageLoadingTransformer.Report"/>.
    /// </summary>
    public static ImageLoadingEstimator LoadImages(this TransformsCatalog catalog, string outputColumnName, string? imageFolder, string inputColumnName,
        BadImagePolicy badFilePolicy = BadImagePolicy.Fail)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageLoadingEstimator(catalog.Context, new ImageLoadingEstimator.Options
        {
            OutputColumnName = outputColumnName, ImageFolder = imageFolder, InputColumnName = inputColumnName, BadFilePolicy = badFilePolicy,
        });
    }

    /// <summary>LoadImages with every setting (validation on or off, decoder limits).</summary>
    public static ImageLoadingEstimator LoadImages(this TransformsCatalog catalog, ImageLoadingEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageLoadingEstimator(catalog.Context, options);
    }

    /// <summary>
    /// Resizes images to <paramref name="imageWidth"/> x <paramref name="imageHeight"/>: IsoCrop (default, as ML.NET) keeps
    /// the aspect ratio and crops at <paramref name="anchor"/>, IsoPad keeps it and pads with black, Fill stretches;
    /// <paramref name="sampler"/> is nearest, bilinear, bicubic or area (all antialiased when shrinking, but nearest).
    /// The output column's type carries the size.
    /// </summary>
    public static ImageResizingEstimator ResizeImages(this TransformsCatalog catalog, string outputColumnName, int imageWidth, int imageHeight,
        string? inputColumnName = null, ImageResizeMode resizing = ImageResizeMode.IsoCrop, ImageAnchor anchor = ImageAnchor.Center,
        ResamplingFilter sampler = ResamplingFilter.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageResizingEstimator(outputColumnName, imageWidth, imageHeight, inputColumnName ?? outputColumnName, resizing, anchor, sampler);
    }

    /// <summary>Crops the centre <paramref name="width"/> x <paramref name="height"/> (smaller images are padded with black first).</summary>
    public static ImageCroppingEstimator CenterCrop(this TransformsCatalog catalog, string outputColumnName, int width, int height, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageCroppingEstimator(outputColumnName, width, height, inputColumnName ?? outputColumnName);
    }

    /// <summary>Converts images to one-channel gray (ITU-R 601 luma).</summary>
    public static ImageGrayscaleEstimator ConvertToGrayscale(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageGrayscaleEstimator(outputColumnName, inputColumnName ?? outputColumnName);
    }

    /// <summary>
    /// Extracts normalised pixels as a Single vector [C, H, W] (or [H, W, C] with <see cref="PixelExtractionOptions.Interleave"/>),
    /// value = (byte x Scale + Offset - Mean[c]) / Std[c]; the size is known when the image column's is. Batch cursors over
    /// the result read rows with the context's degree of parallelism and write straight into the caller's buffer.
    /// </summary>
    public static PixelExtractingEstimator ExtractPixels(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        PixelExtractionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new PixelExtractingEstimator(new PixelExtractingTransformer(outputColumnName, inputColumnName ?? outputColumnName,
            options ?? new PixelExtractionOptions(), catalog.Context.DegreeOfParallelism));
    }

    /// <summary>Turns a pixel vector column (from ExtractPixels with the same <paramref name="options"/>) back into images, for viewing.</summary>
    public static VectorToImageEstimator ConvertToImage(this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
        PixelExtractionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new VectorToImageEstimator(new VectorToImageTransformer(outputColumnName, inputColumnName, options ?? new PixelExtractionOptions()));
    }

    /// <summary>
    /// Augments the images of <paramref name="inputColumnName"/> into <paramref name="outputColumnName"/> (an existing image
    /// column of the same type; the input column itself by default) while training only; identity when scoring. Seeded
    /// per epoch and example from <paramref name="seed"/> (null: drawn from the context).
    /// </summary>
    public static ImageAugmentingEstimator Augment(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName,
        IImageAugmentation augmentation, ulong? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(augmentation);
        ulong s = seed ?? ((ulong)(uint)catalog.Context.NextSeed() << 32 | (uint)catalog.Context.NextSeed());
        return new ImageAugmentingEstimator(new ImageAugmentingTransformer(outputColumnName, inputColumnName ?? outputColumnName, augmentation, s));
    }
}
