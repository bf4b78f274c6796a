using System.Text;

namespace MlPipelines.DataPrep.Sources;

/// <summary>Reads (path, label) rows from a CSV or TSV manifest (RFC 4180 quoting for commas).</summary>
internal static class ManifestReader
{
    private static readonly string[] PathNames = ["path", "image", "file", "filename", "image_path", "imagepath", "imagefile"];
    private static readonly string[] LabelNames = ["label", "class", "category", "target", "classname", "class_name"];

    public static List<(string Path, string Label)> Read(string manifestPath, ImageManifestOptions options)
    {
        if (!File.Exists(manifestPath)) throw new FileNotFoundException($"Image manifest not found: {manifestPath}", manifestPath);
        var lines = File.ReadAllLines(manifestPath).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count == 0) throw new InvalidDataException($"Image manifest {manifestPath} is empty.");
        char sep = options.Separator ?? DetectSeparator(manifestPath, lines[0]);
        var rows = lines.Select(l => Split(l, sep)).ToList();
        var first = rows[0];
        bool header = options.HasHeader ?? first.Any(f => IsKnown(f, PathNames) || IsKnown(f, LabelNames));
        int pathIndex = 0, labelIndex = 1;
        if (header)
        {
            pathIndex = Find(first, options.PathColumn, PathNames, 0, manifestPath);
            labelIndex = Find(first, options.LabelColumn, LabelNames, pathIndex == 1 ? 0 : 1, manifestPath);
            rows.RemoveAt(0);
        }
        if (rows.Count == 0) throw new InvalidDataException($"Image manifest {manifestPath} has a header but no rows.");
        string folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var result = new List<(string, string)>(rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            int line = i + (header ? 2 : 1);
            if (r.Count <= Math.Max(pathIndex, labelIndex))
                throw new InvalidDataException($"{manifestPath}, row {line}: expected at least {Math.Max(pathIndex, labelIndex) + 1} fields separated by '{(sep == '\t' ? "\\t" : sep)}', got {r.Count}.");
            string path = r[pathIndex].Trim();
            if (path.Length == 0) throw new InvalidDataException($"{manifestPath}, row {line}: the image path is empty.");
            result.Add((Path.GetFullPath(Path.Combine(folder, path)), r[labelIndex].Trim()));
        }
        return result;
    }

    private static char DetectSeparator(string path, string firstLine)
    {
        string ext = Path.GetExtension(path);
        if (ext.Equals(".tsv", StringComparison.OrdinalIgnoreCase) || ext.Equals(".tab", StringComparison.OrdinalIgnoreCase)) return '\t';
        return firstLine.Contains('\t', StringComparison.Ordinal) ? '\t' : ',';
    }

    private static bool IsKnown(string field, string[] names) => names.Contains(field.Trim().ToLowerInvariant());

    private static int Find(List<string> header, string? wanted, string[] names, int fallback, string manifestPath)
    {
        if (wanted is not null)
        {
            int i = header.FindIndex(h => h.Trim().Equals(wanted, StringComparison.OrdinalIgnoreCase));
            return i >= 0 ? i : throw new InvalidDataException($"Image manifest {manifestPath} has no column '{wanted}' (header: {string.Join(", ", header)}).");
        }
        int known = header.FindIndex(h => IsKnown(h, names));
        return known >= 0 ? known : fallback;
    }

    internal static List<string> Split(string line, char sep)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
            }
            else if (ch == '"' && field.Length == 0) quoted = true;
            else if (ch == sep)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else field.Append(ch);
        }
        fields.Add(field.ToString());
        return fields;
    }
}
