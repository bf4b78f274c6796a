using System.Text.RegularExpressions;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.Notebooks.Tests;

/// <summary>What running a notebook showed, and how long each code cell took.</summary>
internal sealed partial record NotebookRun(IReadOnlyList<object?> Displayed, IReadOnlyList<(int Cell, TimeSpan Elapsed)> Timings)
{
    /// <summary>Every PNG shown inline (an HTML <c>img</c> with a data: URI), decoded, so a broken picture is not counted.</summary>
    public IReadOnlyList<Image> Images() =>
        [.. Displayed.OfType<HtmlContent>().SelectMany(h => InlinePng().Matches(h.Html)).Select(m => ImageCodecs.Decode(Convert.FromBase64String(m.Groups["data"].Value), "inline PNG"))];

    /// <summary>Everything displayed, as text (HTML markup for HTML).</summary>
    public string Text => string.Join("\n", Displayed.Select(d => d?.ToString() ?? ""));

    [GeneratedRegex("""<img[^>]*\ssrc\s*=\s*['"]data:image/png;base64,(?<data>[A-Za-z0-9+/=]+)['"]""")]
    private static partial Regex InlinePng();
}
