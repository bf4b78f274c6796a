namespace MlPipelines.Notebooks.Tests;

/// <summary>One notebook cell: its position, type ("code", "markdown"), source text, .NET Interactive language and stored outputs.</summary>
internal sealed record NotebookCell(int Index, string Type, string Source, string? Language, int OutputCount, int OutputBytes)
{
    public bool IsCSharpCode => Type == "code" && Language is null or "csharp";
}
