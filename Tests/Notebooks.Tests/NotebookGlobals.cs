using System.Diagnostics.CodeAnalysis;

namespace MlPipelines.Notebooks.Tests;

/// <summary>
/// The globals a notebook's C# cells see when the test runs them: the two .NET Interactive helpers the notebooks use,
/// <c>display(object)</c> and <c>HTML(string)</c>, recording what would have been shown instead of rendering it.
/// </summary>
[SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "Named like .NET Interactive's helpers, so notebook code compiles in both.")]
public sealed class NotebookGlobals
{
    private readonly List<object?> _displayed = [];

    /// <summary>Everything displayed so far, in order (cell results that are not null included).</summary>
    public IReadOnlyList<object?> Displayed => _displayed;

    /// <summary>The cell being run (for messages).</summary>
    public int CurrentCell { get; internal set; }

    /// <summary>Shows <paramref name="value"/> (recorded).</summary>
    public void display(object? value) => _displayed.Add(value);

    /// <summary>Markup to display as HTML.</summary>
    public HtmlContent HTML(string html) => new(html ?? throw new ArgumentNullException(nameof(html)));

    internal void Record(object? value) => _displayed.Add(value);
}
