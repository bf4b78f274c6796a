namespace MlPipelines.DataPrep.Sources;

/// <summary>How <see cref="ImageDataCatalogExtensions.LoadFromImageManifest"/> reads a CSV/TSV list of (path, label) rows.</summary>
public sealed record ImageManifestOptions
{
    /// <summary>The field separator; null picks tab for ".tsv"/".tab" files and otherwise whichever of tab and comma the first line uses (comma when neither).</summary>
    public char? Separator { get; init; }

    /// <summary>
    /// Whether the first line is a header; null detects it: the first line is a header when one of its fields is a known
    /// column name (path, image, file, filename, image_path, imagepath, label, class, category, target).
    /// </summary>
    public bool? HasHeader { get; init; }

    /// <summary>The header name of the path column (with a header); null: the first known path name, else the first column.</summary>
    public string? PathColumn { get; init; }

    /// <summary>The header name of the label column (with a header); null: the first known label name, else the second column.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>Name of the path column of the view.</summary>
    public string ImagePathColumnName { get; init; } = "ImagePath";

    /// <summary>Name of the label column of the view.</summary>
    public string LabelColumnName { get; init; } = "Label";
}
