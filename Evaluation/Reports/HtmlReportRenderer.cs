using System.Globalization;
using MlPipelines.Evaluation.Metrics;
using MlPipelines.Evaluation.Reports.Charts;
using MlPipelines.Evaluation.Reports.Markup;

namespace MlPipelines.Evaluation.Reports;

/// <summary>
/// Renders a <see cref="TrainingReport"/> as one self-contained HTML page: inline CSS and SVG, pictures as data: URIs,
/// no script and no external resource. Each section is a &lt;section id="..."&gt; and is left out when it has no data.
/// </summary>
internal static class HtmlReportRenderer
{
    /// <summary>Above this many classes the confusion matrix is embedded as a PNG rather than one SVG element per cell.</summary>
    public const int MaxSvgHeatmapClasses = 64;

    private const string Css = """
        body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 24px; color: #222; background: #fafafa; }
        h1 { font-size: 1.6em; margin-bottom: 4px; }
        h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 28px; }
        section { margin-bottom: 16px; }
        table { border-collapse: collapse; background: #fff; }
        th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        thead th { background: #f0f0f0; }
        .charts { display: flex; flex-wrap: wrap; gap: 12px; }
        svg { background: #fff; border: 1px solid #ddd; }
        svg text { font-size: 11px; fill: #333; }
        svg .chart-title { font-size: 13px; font-weight: 600; }
        svg .axis-label { font-size: 12px; }
        svg text.count { font-size: 11px; }
        .grid { display: flex; flex-wrap: wrap; gap: 10px; }
        figure { margin: 0; padding: 6px; background: #fff; border: 1px solid #ddd; width: 132px; font-size: 12px; }
        figure img { width: 120px; height: 120px; object-fit: contain; image-rendering: pixelated; background: #eee; display: block; }
        figure .none { width: 120px; height: 120px; background: #eee; }
        figure.wrong { border-color: #d62728; }
        figure.right { border-color: #2ca02c; }
        figcaption { margin-top: 4px; overflow-wrap: anywhere; }
        .filters img { width: 48px; height: 48px; image-rendering: pixelated; border: 1px solid #ccc; }
        .filters { display: flex; flex-wrap: wrap; gap: 4px; }
        .muted { color: #777; }
        """;

    /// <summary>The page.</summary>
    public static string Render(TrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var w = new MarkupWriter();
        w.Doctype().Open("html", ("lang", "en")).Line();
        w.Open("head").Empty("meta", ("charset", "utf-8")).Element("title", report.Title).Style(Css).Close("head").Line();
        w.Open("body").Element("h1", report.Title).Line();
        var metrics = report.Metrics;
        if (metrics is not null) Summary(w, metrics);
        if (report.History.Count > 0) Curves(w, report.History);
        if (metrics is not null)
        {
            Confusion(w, metrics);
            PerClass(w, metrics);
            TopK(w, metrics);
            Calibration(w, metrics);
            if (metrics.TopLosses.Count > 0) TopLosses(w, metrics, report.Thumbnails);
        }
        if (report.SamplePredictions.Count > 0) Samples(w, report.SamplePredictions);
        if (report.FirstLayerFilters is { } filters) Filters(w, filters);
        if (report.Configuration.Count > 0) Configuration(w, report.Configuration);
        w.Close("body").Line().Close("html").Line();
        return w.ToString();
    }

    private static string F(double v, string format = "0.0000") =>
        double.IsNaN(v) ? "NaN" : v.ToString(format, CultureInfo.InvariantCulture);

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static void Section(MarkupWriter w, string id, string title)
    {
        w.Open("section", ("id", id)).Element("h2", title).Line();
    }

    private static void KeyValueTable(MarkupWriter w, IEnumerable<(string Key, string Value)> rows)
    {
        w.Open("table").Open("tbody");
        foreach (var (key, value) in rows)
            w.Open("tr").Element("th", key).Element("td", value).Close("tr").Line();
        w.Close("tbody").Close("table");
    }

    private static void Summary(MarkupWriter w, MulticlassClassificationMetrics m)
    {
        Section(w, "summary", "Summary");
        var rows = new List<(string, string)>
        {
            ("Accuracy (micro)", F(m.MicroAccuracy)),
            ("Accuracy (macro)", F(m.MacroAccuracy)),
        };
        if (m.TopKPredictionCount > 0) rows.Add(($"Top-{m.TopKPredictionCount} accuracy", F(m.TopKAccuracy)));
        rows.AddRange([
            ("Log-loss", F(m.LogLoss)),
            ("Log-loss reduction", F(m.LogLossReduction)),
            ("Macro F1", F(m.MacroF1)),
            ("Weighted F1", F(m.WeightedF1)),
            ("Cohen's kappa", F(m.CohenKappa)),
            ("Expected calibration error", F(m.ExpectedCalibrationError)),
            ("Rows evaluated", I(m.RowCount)),
            ("Rows skipped", I(m.SkippedRowCount)),
        ]);
        KeyValueTable(w, rows);
        w.Close("section").Line();
    }

    private static void Curves(MarkupWriter w, IReadOnlyList<EpochRecord> history)
    {
        Section(w, "curves", "Training curves");
        w.Open("div", ("class", "charts"));
        SvgCharts.Line(w, ReportCharts.Loss(history));
        SvgCharts.Line(w, ReportCharts.Accuracy(history));
        SvgCharts.Line(w, ReportCharts.LearningRate(history));
        w.Close("div").Line();
        w.Open("details", ("id", "history")).Element("summary", "Per-epoch history");
        w.Open("table").Open("thead").Open("tr");
        foreach (string h in new[] { "Epoch", "Train loss", "Train accuracy", "Validation loss", "Validation accuracy", "Learning rate", "Seconds" })
            w.Element("th", h);
        w.Close("tr").Close("thead").Open("tbody");
        foreach (var e in history)
        {
            w.Open("tr").Element("td", I(e.Epoch)).Element("td", F(e.TrainLoss)).Element("td", F(e.TrainAccuracy))
                .Element("td", e.ValidationLoss is { } vl ? F(vl) : "-").Element("td", e.ValidationAccuracy is { } va ? F(va) : "-")
                .Element("td", e.LearningRate.ToString("G4", CultureInfo.InvariantCulture)).Element("td", F(e.Seconds, "0.0"))
                .Close("tr").Line();
        }
        w.Close("tbody").Close("table").Close("details");
        w.Close("section").Line();
    }

    private static void Confusion(MarkupWriter w, MulticlassClassificationMetrics m)
    {
        Section(w, "confusion", "Confusion matrix");
        w.Element("p", "Rows are true classes, columns predicted classes; colour is the share of the row.", ("class", "muted"));
        if (m.ConfusionMatrix.NumberOfClasses <= MaxSvgHeatmapClasses)
        {
            SvgCharts.Heatmap(w, m.ConfusionMatrix);
        }
        else
        {
            // An SVG of n^2 cells grows too large: embed the raster heatmap (class i is row and column i of the per-class table).
            var png = DataPrep.Codecs.ImageCodecs.EncodePng(RasterCharts.Heatmap(m.ConfusionMatrix));
            w.Empty("img", ("class", "heatmap"), ("src", "data:image/png;base64," + Convert.ToBase64String(png)),
                ("alt", $"Confusion matrix of {m.ConfusionMatrix.NumberOfClasses} classes in the order of the per-class table"));
        }
        if (m.MostConfused.Count > 0)
        {
            w.Element("h3", "Most confused pairs");
            w.Open("table").Open("thead").Open("tr").Element("th", "True").Element("th", "Predicted").Element("th", "Count").Close("tr").Close("thead").Open("tbody");
            foreach (var c in m.MostConfused.Take(10))
                w.Open("tr").Element("td", c.TrueName).Element("td", c.PredictedName).Element("td", I(c.Count)).Close("tr").Line();
            w.Close("tbody").Close("table");
        }
        w.Close("section").Line();
    }

    private static void PerClass(MarkupWriter w, MulticlassClassificationMetrics m)
    {
        Section(w, "per-class", "Per-class metrics");
        var cm = m.ConfusionMatrix;
        w.Open("table").Open("thead").Open("tr");
        foreach (string h in new[] { "Class", "Support", "Precision", "Recall", "F1", "Log-loss" }) w.Element("th", h);
        w.Close("tr").Close("thead").Open("tbody");
        for (int c = 0; c < cm.NumberOfClasses; c++)
        {
            long support = 0;
            for (int k = 0; k < cm.NumberOfClasses; k++) support += cm[c, k];
            w.Open("tr").Element("td", cm.ClassNames[c]).Element("td", I(support)).Element("td", F(cm.PerClassPrecision[c]))
                .Element("td", F(cm.PerClassRecall[c])).Element("td", F(m.PerClassF1[c])).Element("td", F(m.PerClassLogLoss[c]))
                .Close("tr").Line();
        }
        w.Close("tbody").Close("table");
        w.Close("section").Line();
    }

    private static void TopK(MarkupWriter w, MulticlassClassificationMetrics m)
    {
        if (m.TopKAccuracyForAllK is not { Count: > 0 } all) return;
        Section(w, "top-k", "Top-k accuracy");
        w.Open("table").Open("thead").Open("tr").Element("th", "k").Element("th", "Accuracy").Close("tr").Close("thead").Open("tbody");
        for (int k = 0; k < all.Count; k++)
            w.Open("tr").Element("td", I(k + 1)).Element("td", F(all[k])).Close("tr").Line();
        w.Close("tbody").Close("table");
        w.Close("section").Line();
    }

    private static void Calibration(MarkupWriter w, MulticlassClassificationMetrics m)
    {
        if (m.CalibrationBins.All(b => b.Count == 0)) return;
        Section(w, "calibration", "Calibration");
        w.Element("p", $"Expected calibration error: {F(m.ExpectedCalibrationError)} over {m.CalibrationBins.Count} equal-width confidence bins.", ("class", "muted"));
        SvgCharts.Line(w, ReportCharts.Reliability(m));
        w.Close("section").Line();
    }

    private static string Name(MulticlassClassificationMetrics m, int c) =>
        c >= 0 && c < m.ConfusionMatrix.NumberOfClasses ? m.ConfusionMatrix.ClassNames[c] : I(c);

    private static void Figure(MarkupWriter w, ReportImage? image, string alt, string? cssClass, IEnumerable<string> lines)
    {
        w.Open("figure", ("class", cssClass));
        if (image is null) w.Open("div", ("class", "none")).Close("div");
        else w.Empty("img", ("src", ReportImages.DataUri(image)), ("alt", alt), ("width", "120"), ("height", "120"));
        w.Open("figcaption");
        bool first = true;
        foreach (string line in lines)
        {
            if (!first) w.Empty("br");
            w.Text(line);
            first = false;
        }
        w.Close("figcaption").Close("figure").Line();
    }

    private static void TopLosses(MarkupWriter w, MulticlassClassificationMetrics m, IReadOnlyDictionary<long, ReportImage> thumbnails)
    {
        Section(w, "top-losses", "Top losses");
        w.Open("div", ("class", "grid"));
        foreach (var t in m.TopLosses)
        {
            thumbnails.TryGetValue(t.RowId, out var image);
            Figure(w, image, $"row {t.RowId}", t.Label == t.Predicted ? "right" : "wrong",
            [
                $"row {I(t.RowId)}",
                $"true: {Name(m, t.Label)}",
                $"predicted: {Name(m, t.Predicted)}",
                $"confidence: {F(t.Confidence, "0.000")}",
                $"loss: {F(t.Loss, "0.000")}",
            ]);
        }
        w.Close("div");
        w.Close("section").Line();
    }

    private static void Samples(MarkupWriter w, IReadOnlyList<SamplePrediction> samples)
    {
        Section(w, "samples", "Sample predictions");
        w.Open("div", ("class", "grid"));
        foreach (var s in samples)
        {
            string? css = s.TrueLabel is null ? null : s.TrueLabel == s.PredictedLabel ? "right" : "wrong";
            var lines = new List<string>();
            if (s.TrueLabel is not null) lines.Add($"true: {s.TrueLabel}");
            lines.Add($"predicted: {s.PredictedLabel}");
            lines.Add($"confidence: {F(s.Confidence, "0.000")}");
            Figure(w, s.Image, s.PredictedLabel, css, lines);
        }
        w.Close("div");
        w.Close("section").Line();
    }

    private static void Filters(MarkupWriter w, FilterBank filters)
    {
        Section(w, "filters", "First-layer filters");
        w.Element("p", $"{filters.OutputChannels} filters of {filters.InputChannels} x {filters.KernelHeight} x {filters.KernelWidth}, each scaled from its minimum to its maximum.", ("class", "muted"));
        w.Open("div", ("class", "filters"));
        for (int f = 0; f < filters.OutputChannels; f++)
            w.Empty("img", ("src", ReportImages.DataUri(filters.ToImage(f))), ("alt", $"filter {f}"), ("title", $"filter {f}"));
        w.Close("div");
        w.Close("section").Line();
    }

    private static void Configuration(MarkupWriter w, IReadOnlyList<KeyValuePair<string, string>> configuration)
    {
        Section(w, "config", "Run configuration");
        KeyValueTable(w, configuration.Select(kv => (kv.Key, kv.Value)));
        w.Close("section").Line();
    }
}
