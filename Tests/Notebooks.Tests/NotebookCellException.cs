namespace MlPipelines.Notebooks.Tests;

/// <summary>A notebook cell failed to compile or run; the message names the notebook and the cell (0-based, counting every cell).</summary>
public sealed class NotebookCellException : Exception
{
    public NotebookCellException(string notebook, int cell, string problem, Exception? inner = null)
        : base($"{Path.GetFileName(notebook)}, cell {cell}: {problem}", inner)
    {
        Notebook = notebook;
        Cell = cell;
    }

    public string Notebook { get; } = "";

    public int Cell { get; }

    public NotebookCellException() { }

    public NotebookCellException(string message) : base(message) { }

    public NotebookCellException(string message, Exception innerException) : base(message, innerException) { }
}
