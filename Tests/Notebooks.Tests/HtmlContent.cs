namespace MlPipelines.Notebooks.Tests;

/// <summary>What <see cref="NotebookGlobals.HTML"/> returns: markup to show as HTML (.NET Interactive's IHtmlContent).</summary>
public sealed record HtmlContent(string Html)
{
    public override string ToString() => Html;
}
