namespace MlPipelines.DataPrep.Sources;

/// <summary>How <see cref="ImageDataCatalogExtensions.LoadFromImageFolder"/> scans a folder-per-class dataset.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>The file extensions taken as images (case-insensitive, with the dot).</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".ppm", ".pgm", ".pnm"];

    /// <summary>Whether sub-folders of a class folder are searched too (their images belong to the class).</summary>
    public bool Recursive { get; init; } = true;

    /// <summary>Whether symbolic links to folders and files are followed (cycles are detected); off by default.</summary>
    public bool FollowSymbolicLinks { get; init; }

    /// <summary>
    /// Whether "ImagePath" holds absolute paths; by default it holds paths relative to the root (with '/' separators),
    /// to pass with the root as LoadImages' image folder so that the dataset can move.
    /// </summary>
    public bool AbsolutePaths { get; init; }

    /// <summary>Name of the path column.</summary>
    public string ImagePathColumnName { get; init; } = "ImagePath";

    /// <summary>Name of the label column.</summary>
    public string LabelColumnName { get; init; } = "Label";
}
