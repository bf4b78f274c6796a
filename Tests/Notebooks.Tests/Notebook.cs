using System.Text.Json;

namespace MlPipelines.Notebooks.Tests;

/// <summary>A Jupyter notebook (.ipynb, nbformat 4) read as its format version, kernel and cells; nothing is executed here.</summary>
internal sealed class Notebook
{
    private Notebook(string path, int format, string? kernelName, string? kernelLanguage, IReadOnlyList<NotebookCell> cells)
    {
        (Path, Format, KernelName, KernelLanguage, Cells) = (path, format, kernelName, kernelLanguage, cells);
    }

    public string Path { get; }

    /// <summary>The top-level "nbformat" number.</summary>
    public int Format { get; }

    /// <summary>metadata.kernelspec.name.</summary>
    public string? KernelName { get; }

    /// <summary>metadata.kernelspec.language.</summary>
    public string? KernelLanguage { get; }

    public IReadOnlyList<NotebookCell> Cells { get; }

    /// <summary>Reads and checks the structure; throws <see cref="InvalidDataException"/> naming the notebook and the cell when it is not nbformat 4.</summary>
    public static Notebook Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        int format = root.TryGetProperty("nbformat", out var f) && f.ValueKind == JsonValueKind.Number ? f.GetInt32() : 0;
        string? kernelName = null, kernelLanguage = null;
        if (root.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("kernelspec", out var spec))
        {
            kernelName = spec.TryGetProperty("name", out var n) ? n.GetString() : null;
            kernelLanguage = spec.TryGetProperty("language", out var l) ? l.GetString() : null;
        }
        if (!root.TryGetProperty("cells", out var cells) || cells.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: no \"cells\" array.");
        var list = new List<NotebookCell>();
        int index = 0;
        foreach (var cell in cells.EnumerateArray())
        {
            string type = cell.TryGetProperty("cell_type", out var t) ? t.GetString() ?? "" : "";
            string source = cell.TryGetProperty("source", out var s) ? ReadSource(s, path, index) : throw new InvalidDataException($"{path}: cell {index} has no source.");
            string? language = cell.TryGetProperty("metadata", out var m) && m.TryGetProperty("dotnet_interactive", out var di) && di.TryGetProperty("language", out var lang)
                ? lang.GetString() : null;
            int outputs = cell.TryGetProperty("outputs", out var o) && o.ValueKind == JsonValueKind.Array ? o.GetArrayLength() : 0;
            int outputBytes = cell.TryGetProperty("outputs", out var ob) ? ob.GetRawText().Length : 0;
            list.Add(new NotebookCell(index, type, source, language, outputs, outputBytes));
            index++;
        }
        return new Notebook(path, format, kernelName, kernelLanguage, list);
    }

    /// <summary>nbformat allows the source as one string or as a list of lines (each keeping its newline).</summary>
    private static string ReadSource(JsonElement source, string path, int index) => source.ValueKind switch
    {
        JsonValueKind.String => source.GetString()!,
        JsonValueKind.Array => string.Concat(source.EnumerateArray().Select(l => l.GetString())),
        _ => throw new InvalidDataException($"{path}: cell {index} has a source that is neither a string nor a list of strings."),
    };
}
