using System.Text;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.Evaluation.Reports.Charts;

namespace MlPipelines.Evaluation.Reports;

/// <summary>
/// Turns a <see cref="TrainingReport"/> into one self-contained HTML file (inline SVG charts, pictures as data: URIs,
/// no script, nothing fetched) and the charts into PNG files. Files are written atomically (temporary file, then rename).
/// </summary>
public static class TrainingReportWriter
{
    /// <summary>The report as an HTML page (UTF-8 text; also well-formed XML).</summary>
    public static string RenderHtml(TrainingReport report) => HtmlReportRenderer.Render(report);

    /// <summary>Writes the report's HTML page to <paramref name="path"/>, creating the folder when needed.</summary>
    public static void WriteHtml(TrainingReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        IO.AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(RenderHtml(report)), createFolder: true);
    }

    /// <summary>
    /// The report's charts as PNG images, by file name: loss.png, accuracy.png and learning-rate.png when there is a
    /// history, confusion-matrix.png and calibration.png when there are metrics.
    /// </summary>
    public static IReadOnlyDictionary<string, byte[]> RenderPngCharts(TrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var images = new Dictionary<string, Image>();
        if (report.History.Count > 0)
        {
            images["loss.png"] = RasterCharts.Line(ReportCharts.Loss(report.History));
            images["accuracy.png"] = RasterCharts.Line(ReportCharts.Accuracy(report.History));
            images["learning-rate.png"] = RasterCharts.Line(ReportCharts.LearningRate(report.History));
        }
        if (report.Metrics is { } metrics)
        {
            images["confusion-matrix.png"] = RasterCharts.Heatmap(metrics.ConfusionMatrix);
            images["calibration.png"] = RasterCharts.Line(ReportCharts.Reliability(metrics));
        }
        return images.ToDictionary(kv => kv.Key, kv => ImageCodecs.EncodePng(kv.Value));
    }

    /// <summary>Writes the PNG charts (see <see cref="RenderPngCharts"/>) into <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> WritePngCharts(TrainingReport report, string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var paths = new List<string>();
        foreach (var (name, png) in RenderPngCharts(report))
        {
            string path = Path.Combine(directory, name);
            IO.AtomicFile.WriteAllBytes(path, png, createFolder: true);
            paths.Add(path);
        }
        return paths;
    }
}
