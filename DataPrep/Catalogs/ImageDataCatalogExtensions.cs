using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Datasets;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Sources;

namespace MlPipelines;

/// <summary>
/// Image dataset sources on ctx.Data. Every source is an indexed in-memory view (shuffleable, splittable, with a row
/// count); labels are key columns whose KeyValues annotation holds the class names (key k is class k - 1).
/// </summary>
public static class ImageDataCatalogExtensions
{
    /// <summary>
    /// A folder-per-class dataset: every sub-folder of <paramref name="root"/> is a class (named after it, classes sorted
    /// ordinally), every file with an image extension inside it (recursively by default) an example. Columns
    /// "ImagePath" (text: relative to <paramref name="root"/> with '/' separators, or absolute with
    /// <see cref="ImageFolderOptions.AbsolutePaths"/>) and "Label" (key). Nothing is decoded: follow with LoadImages.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    /// <exception cref="InvalidDataException">The root has no class folders, or a class folder has no images (the message names it).</exception>
    public static IDataView LoadFromImageFolder(this DataOperationsCatalog catalog, string root, ImageFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(root);
        options ??= new ImageFolderOptions();
        var (files, classes) = ImageFolderScanner.Scan(root, options);
        return new InMemoryDataViewBuilder()
            .AddColumn(options.ImagePathColumnName, files.Select(f => f.Path).ToArray())
            .AddKeyColumn(options.LabelColumnName, files.Select(f => (uint)f.Class + 1).ToArray(), classes)
            .ToDataView();
    }

    /// <summary>
    /// A dataset listed in a CSV or TSV manifest of (path, label) rows (header detected or given; see
    /// <see cref="ImageManifestOptions"/>). Relative paths are resolved against the manifest's folder; "ImagePath" holds
    /// absolute paths. "Label" is a key column over the distinct labels, sorted ordinally. Files are not opened.
    /// </summary>
    /// <exception cref="FileNotFoundException">The manifest does not exist.</exception>
    /// <exception cref="InvalidDataException">The manifest is empty or a row is malformed (the message names the file and row).</exception>
    public static IDataView LoadFromImageManifest(this DataOperationsCatalog catalog, string manifestPath, ImageManifestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(manifestPath);
        options ??= new ImageManifestOptions();
        var rows = ManifestReader.Read(manifestPath, options);
        var classes = rows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => (uint)x.i + 1, StringComparer.Ordinal);
        return new InMemoryDataViewBuilder()
            .AddColumn(options.ImagePathColumnName, rows.Select(r => r.Path).ToArray())
            .AddKeyColumn(options.LabelColumnName, rows.Select(r => index[r.Label]).ToArray(), classes)
            .ToDataView();
    }

    /// <summary>
    /// An MNIST-style pair of IDX files (plain or gzipped): images [N, H, W] (gray) or [N, H, W, C] (C = 1, 3 or 4)
    /// and labels [N]. Columns "Image" (<see cref="ImageDataViewType"/> of H x W) and "Label" (key; names
    /// <paramref name="classNames"/> or "0", "1", ... up to the largest label).
    /// </summary>
    public static IDataView LoadFromIdx(this DataOperationsCatalog catalog, string imagesPath, string labelsPath, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Dimensions.Length is not (3 or 4))
            throw new InvalidDataException($"{imagesPath}: expected images of shape [N, H, W] or [N, H, W, C], got [{string.Join(", ", images.Dimensions)}].");
        if (labels.Dimensions.Length != 1)
            throw new InvalidDataException($"{labelsPath}: expected labels of shape [N], got [{string.Join(", ", labels.Dimensions)}].");
        if (images.Count != labels.Count)
            throw new InvalidDataException($"{imagesPath} has {images.Count} images but {labelsPath} has {labels.Count} labels.");
        if (images.Count == 0) throw new InvalidDataException($"{imagesPath} holds no images.");
        int height = images.Dimensions[1], width = images.Dimensions[2];
        int channels = images.Dimensions.Length == 4 ? images.Dimensions[3] : 1;
        if (height == 0 || width == 0 || channels is not (1 or 3 or 4))
            throw new InvalidDataException($"{imagesPath}: images of {width}x{height}x{channels} are not supported.");
        int max = labels.Data.Max();
        var names = classNames ?? Enumerable.Range(0, max + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (max >= names.Count) throw new InvalidDataException($"{labelsPath}: label {max} has no class name ({names.Count} names given).");
        var values = new Image[images.Count];
        for (int i = 0; i < values.Length; i++) values[i] = new Image(width, height, channels, images.Item(i).ToArray());
        return new InMemoryDataViewBuilder()
            .AddColumn("Image", new ImageDataViewType(height, width), values)
            .AddKeyColumn("Label", labels.Data.Select(b => (uint)b + 1).ToArray(), names)
            .ToDataView();
    }

    /// <summary>
    /// CIFAR-10 or CIFAR-100 binary batch files (data_batch_1.bin ..., train.bin / test.bin), read in the order given.
    /// Columns "Image" (32 x 32 RGB) and "Label" (key with the standard class names, <see cref="CifarClassNames"/>).
    /// </summary>
    public static IDataView LoadFromCifar(this DataOperationsCatalog catalog, IEnumerable<string> batchFiles, CifarVariant variant = CifarVariant.Cifar10)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(batchFiles);
        var files = batchFiles.ToArray();
        if (files.Length == 0) throw new ArgumentException("Give at least one CIFAR batch file.", nameof(batchFiles));
        var (images, keys) = CifarReader.Read(files, variant);
        return new InMemoryDataViewBuilder()
            .AddColumn("Image", new ImageDataViewType(32, 32), images.ToArray())
            .AddKeyColumn("Label", keys.ToArray(), CifarClassNames.For(variant))
            .ToDataView();
    }

    /// <summary>
    /// Images already in memory with their labels. Columns "Image" (of known size when all images share one) and
    /// "Label" (key over the distinct labels, sorted ordinally). The images are not copied.
    /// </summary>
    public static IDataView LoadFromImages(this DataOperationsCatalog catalog, IEnumerable<(Image Image, string Label)> images)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(images);
        var rows = images.ToArray();
        if (rows.Length == 0) throw new ArgumentException("The dataset is empty.", nameof(images));
        for (int i = 0; i < rows.Length; i++)
            if (rows[i].Image is null || rows[i].Label is null) throw new ArgumentException($"Row {i} has a null image or label.", nameof(images));
        var classes = rows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => (uint)x.i + 1, StringComparer.Ordinal);
        var first = rows[0].Image;
        bool same = rows.All(r => r.Image.Width == first.Width && r.Image.Height == first.Height);
        var type = same ? new ImageDataViewType(first.Height, first.Width) : new ImageDataViewType();
        return new InMemoryDataViewBuilder()
            .AddColumn("Image", type, rows.Select(r => r.Image).ToArray())
            .AddKeyColumn("Label", rows.Select(r => index[r.Label]).ToArray(), classes)
            .ToDataView();
    }
}
