using System.Globalization;
using MlPipelines.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Transforms;

namespace MlPipelines.Cli;

/// <summary>
/// Turns what the user points at (IDX files, a folder per class, a CSV/TSV manifest) into a view with an "Image" column of one
/// known size and a "Label" key column. Everything up to that point (finding, decoding, resizing) is loading; the saved model
/// starts from the sized image, so `mlp predict` can feed it any image file after the same resize.
/// </summary>
internal static class DataSources
{
    public const string ImageColumn = "Image";
    public const string LabelColumn = "Label";

    /// <summary>The folder holding the bundled sample, searched upwards from the tool and the working directory.</summary>
    public static string? FindBundledFolder()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data");
                if (File.Exists(Path.Combine(candidate, "fashion-sample-train-images-idx3-ubyte.gz"))) return candidate;
            }
        return null;
    }

    /// <summary>
    /// Whether <paramref name="folder"/> holds SPLIT images as PREFIX-SPLIT-images-idx3-ubyte[.gz], or under the original MNIST
    /// names (train-images-idx3-ubyte, t10k-images-idx3-ubyte) as Debian's dataset packages install them.
    /// </summary>
    public static bool HasIdx(string folder, string prefix, string split) => FindIdx(folder, prefix, split, "images-idx3-ubyte") is not null;

    /// <summary>An IDX image/label pair as Image + Label; Fashion-MNIST's class names for a "fashion*" prefix with 10 classes.</summary>
    public static IDataView LoadIdx(MLContext ctx, string folder, string prefix, string split, IReadOnlyList<string>? classNames = null)
    {
        string images = FindIdx(folder, prefix, split, "images-idx3-ubyte") ?? throw new FileNotFoundException($"No {prefix}-{split}-images-idx3-ubyte[.gz] in {folder}.");
        string labels = FindIdx(folder, prefix, split, "labels-idx1-ubyte") ?? throw new FileNotFoundException($"No {prefix}-{split}-labels-idx1-ubyte[.gz] in {folder}.");
        bool fashion = Path.GetFileName(images).StartsWith("fashion", StringComparison.OrdinalIgnoreCase)
            || Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/')).Contains("fashion", StringComparison.OrdinalIgnoreCase);
        if (classNames is null && fashion) classNames = FashionClassNames;
        var view = ctx.Data.LoadFromIdx(images, labels, classNames);
        RequireTwoClasses(view, images);
        return view;
    }

    /// <summary>A folder per class, decoded and resized to <paramref name="size"/> (grayscale on request).</summary>
    public static IDataView LoadFolder(MLContext ctx, string root, int size, bool grayscale, bool skipBadFiles)
    {
        if (!Directory.Exists(root)) throw new UserException($"Data folder not found: {root}");
        return Decode(ctx, List(() => ctx.Data.LoadFromImageFolder(root), root), root, size, grayscale, skipBadFiles);
    }

    /// <summary>A CSV/TSV manifest of (path, label) rows, decoded and resized.</summary>
    public static IDataView LoadManifest(MLContext ctx, string manifest, int size, bool grayscale, bool skipBadFiles)
    {
        if (!File.Exists(manifest)) throw new UserException($"Manifest not found: {manifest}");
        return Decode(ctx, List(() => ctx.Data.LoadFromImageManifest(manifest), manifest), Path.GetDirectoryName(Path.GetFullPath(manifest)), size, grayscale, skipBadFiles);
    }

    /// <summary>The (ImagePath, Label) listing of a source, its problems turned into one line for the user.</summary>
    private static IDataView List(Func<IDataView> load, string source)
    {
        IDataView files;
        try
        {
            files = load();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ArgumentException)
        {
            throw new UserException(ex.Message);
        }
        RequireTwoClasses(files, source);
        return files;
    }

    /// <summary>Decodes image files named in an "ImagePath" column and resizes them like the model's input.</summary>
    public static IDataView Decode(MLContext ctx, IDataView files, string? folder, int size, bool grayscale, bool skipBadFiles)
    {
        var loading = ctx.Transforms.LoadImages(ImageColumn, folder, "ImagePath", skipBadFiles ? BadImagePolicy.Skip : BadImagePolicy.Fail);
        IEstimator<ITransformer> chain = loading.Append(ctx.Transforms.ResizeImages(ImageColumn, size, size, ImageColumn));
        if (grayscale) chain = chain.Append(ctx.Transforms.ConvertToGrayscale(ImageColumn, ImageColumn));
        try
        {
            return ctx.Data.Cache(chain.Fit(files).Transform(files));
        }
        catch (BadImageFilesException ex)
        {
            throw new UserException($"{ex.BadFiles.Count} unreadable image(s), e.g. {ex.BadFiles[0].Path}: {ex.BadFiles[0].Reason} (pass --skip-bad-files to leave them out)");
        }
    }

    /// <summary>Per-channel mean and standard deviation of the pixels on the [0, 1] scale, over at most 2,000 images.</summary>
    public static (float[] Mean, float[] Std) PixelStatistics(IDataView data, int channels)
    {
        var column = data.Schema[ImageColumn];
        var sum = new double[channels];
        var squares = new double[channels];
        long count = 0;
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<Image>(column);
        Image? image = null;
        for (int n = 0; n < 2000 && cursor.MoveNext(); n++)
        {
            getter(ref image!);
            int c = image.Channels;
            for (int i = 0; i < image.Pixels.Length; i++)
            {
                double v = image.Pixels[i] / 255.0;
                sum[i % c % channels] += v;
                squares[i % c % channels] += v * v;
            }
            count += image.Pixels.Length / c;
        }
        if (count == 0) throw new UserException("The training data has no images.");
        var mean = sum.Select(s => (float)(s / count)).ToArray();
        var std = squares.Select((s, i) => (float)Math.Max(Math.Sqrt(Math.Max(s / count - (double)mean[i] * mean[i], 0)), 1e-3)).ToArray();
        return (mean, std);
    }

    public static readonly string[] FashionClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static void RequireTwoClasses(IDataView view, string source)
    {
        if (view.Schema[LabelColumn].Type is KeyDataViewType { Count: < 2 } key)
            throw new UserException(string.Create(CultureInfo.InvariantCulture, $"{source}: {key.Count} class found; classification needs at least two classes."));
    }

    private static string? FindIdx(string folder, string prefix, string split, string kind)
    {
        var names = new List<string> { $"{prefix}-{split}-{kind}", $"{split}-{kind}" };
        if (split == "test") names.Add($"t10k-{kind}");
        foreach (string name in names)
            foreach (string candidate in new[] { name + ".gz", name })
            {
                string path = Path.Combine(folder, candidate);
                if (File.Exists(path)) return path;
            }
        return null;
    }
}
