namespace MlPipelines.DataPrep.Sources;

/// <summary>Lists a folder-per-class dataset: (relative path, class index) pairs and the sorted class names.</summary>
internal static class ImageFolderScanner
{
    public static (List<(string Path, int Class)> Files, string[] Classes) Scan(string root, ImageFolderOptions options)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Image folder not found: {root}");
        var extensions = new HashSet<string>(options.Extensions.Select(e => e.StartsWith('.') ? e : "." + e), StringComparer.OrdinalIgnoreCase);
        var classDirs = new DirectoryInfo(root).EnumerateDirectories()
            .Where(d => options.FollowSymbolicLinks || d.LinkTarget is null)
            .Where(d => !d.Name.StartsWith('.'))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToArray();
        if (classDirs.Length == 0) throw new InvalidDataException($"Image folder {root} has no class sub-folders (expected one folder per class).");
        var files = new List<(string, int)>();
        string[] classes = classDirs.Select(d => d.Name).ToArray();
        for (int c = 0; c < classDirs.Length; c++)
        {
            var found = new List<string>();
            var visited = new HashSet<string>(StringComparer.Ordinal);
            Collect(classDirs[c], classDirs[c].Name, extensions, options, found, visited);
            if (found.Count == 0)
                throw new InvalidDataException($"Class folder {classDirs[c].FullName} holds no images with extensions {string.Join(", ", extensions.Order(StringComparer.Ordinal))}.");
            found.Sort(StringComparer.Ordinal);
            foreach (string f in found) files.Add((options.AbsolutePaths ? Path.GetFullPath(Path.Combine(root, f)) : f, c));
        }
        return (files, classes);
    }

    private static void Collect(DirectoryInfo dir, string relative, HashSet<string> extensions, ImageFolderOptions options, List<string> found, HashSet<string> visited)
    {
        string real = dir.LinkTarget is null ? dir.FullName : dir.ResolveLinkTarget(true)?.FullName ?? dir.FullName;
        if (!visited.Add(real)) return;
        foreach (var file in dir.EnumerateFiles())
        {
            if (file.LinkTarget is not null && !options.FollowSymbolicLinks) continue;
            if (extensions.Contains(file.Extension)) found.Add(relative + "/" + file.Name);
        }
        if (!options.Recursive) return;
        foreach (var sub in dir.EnumerateDirectories())
        {
            if (sub.LinkTarget is not null && !options.FollowSymbolicLinks) continue;
            Collect(sub, relative + "/" + sub.Name, extensions, options, found, visited);
        }
    }
}
