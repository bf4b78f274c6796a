using System.Xml;
using System.Xml.Linq;
using MlPipelines.Evaluation.Reports;
using MlPipelines.Evaluation.Tests.Helpers;

namespace MlPipelines.Evaluation.Tests.Reports;

/// <summary>The HTML report: well-formed, escaped, self-contained, with the right sections and charts.</summary>
[TestClass]
public sealed class HtmlReportTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XDocument Parse(string html)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore };
        using var reader = XmlReader.Create(new StringReader(html), settings);
        return XDocument.Load(reader);
    }

    private static XElement Section(XDocument doc, string id) =>
        doc.Descendants("section").SingleOrDefault(s => (string?)s.Attribute("id") == id) ?? throw new AssertFailedException($"no section '{id}'");

    [TestMethod]
    public void FullReport_IsWellFormed_AndHasEverySection()
    {
        string html = TrainingReportWriter.RenderHtml(SampleReports.Full());
        StringAssert.StartsWith(html, "<!DOCTYPE html>");
        var doc = Parse(html);
        var ids = doc.Descendants("section").Select(s => (string?)s.Attribute("id")).ToArray();
        CollectionAssert.AreEqual(new[] { "summary", "curves", "confusion", "per-class", "top-k", "calibration", "top-losses", "samples", "filters", "config" }, ids);
        Assert.AreEqual("Run <1> & co", doc.Descendants("title").First().Value);
        Assert.AreEqual("Run <1> & co", doc.Descendants("h1").Single().Value);
    }

    [TestMethod]
    public void HostileNames_AreTextNotMarkup()
    {
        string html = TrainingReportWriter.RenderHtml(SampleReports.Full());
        var doc = Parse(html);
        Assert.IsFalse(doc.Descendants().Any(e => e.Name.LocalName == "script"), "no script element anywhere");
        Assert.IsFalse(html.Contains("<script", StringComparison.OrdinalIgnoreCase), "the raw text never opens a script tag");
        var perClass = Section(doc, "per-class").Descendants("tbody").Single().Elements("tr").Select(tr => tr.Elements("td").First().Value).ToArray();
        CollectionAssert.AreEqual(SampleReports.ClassNames, perClass);
        var heatmapNames = Section(doc, "confusion").Descendants(Svg + "text").Where(t => (string?)t.Attribute("class") == "class-name").Select(t => t.Value).ToArray();
        // Axis names longer than 20 characters are cut to 19 and an ellipsis; each class names a row and a column.
        string[] shown = ["<script>alert(1)</s\u2026", "a&b", "\"quoted\" 'one'"];
        CollectionAssert.AreEqual(shown.Concat(shown).Order(StringComparer.Ordinal).ToArray(), heatmapNames.Order(StringComparer.Ordinal).ToArray());
        var cellTitles = Section(doc, "confusion").Descendants(Svg + "rect").Select(r => r.Element(Svg + "title")?.Value).OfType<string>().ToArray();
        Assert.IsTrue(cellTitles.Contains($"true {SampleReports.Script}, predicted a&b: 1 (50.0%)"), "cell titles carry full names");
        var config = Section(doc, "config").Descendants("tr").Select(tr => (tr.Element("th")!.Value, tr.Element("td")!.Value)).ToArray();
        CollectionAssert.Contains(config, ("model<script>", "x & \"y\""));
    }

    [TestMethod]
    public void Report_IsSelfContained()
    {
        var doc = Parse(TrainingReportWriter.RenderHtml(SampleReports.Full()));
        foreach (var e in doc.Descendants())
            foreach (var a in e.Attributes().Where(a => a.Name.LocalName is "src" or "href"))
                StringAssert.StartsWith(a.Value, "data:image/png;base64,", $"<{e.Name.LocalName} {a.Name}> must be inline");
        Assert.IsFalse(doc.Descendants().Any(e => e.Name.LocalName is "link" or "script" or "iframe" or "object"));
        // 2 top-loss thumbnails + 2 sample images + 8 filters.
        Assert.AreEqual(12, doc.Descendants("img").Count());
    }

    [TestMethod]
    public void Curves_HaveOnePointPerEpochAndValidationOnlyWhereMeasured()
    {
        var doc = Parse(TrainingReportWriter.RenderHtml(SampleReports.Full()));
        var charts = Section(doc, "curves").Descendants(Svg + "svg").ToArray();
        Assert.AreEqual(3, charts.Length, "loss, accuracy, learning rate");
        int Points(XElement chart, string series)
        {
            var line = chart.Descendants(Svg + "polyline").Single(p => (string?)p.Attribute("data-series") == series);
            int inLine = line.Attribute("points")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            int markers = chart.Descendants(Svg + "g").Single(g => (string?)g.Attribute("data-series") == series).Elements(Svg + "circle").Count();
            Assert.AreEqual(inLine, markers, $"{series}: one marker per polyline point");
            return inLine;
        }
        Assert.AreEqual(6, Points(charts[0], "train"));
        Assert.AreEqual(5, Points(charts[0], "validation"));
        Assert.AreEqual(6, Points(charts[1], "train"));
        Assert.AreEqual(5, Points(charts[1], "validation"));
        Assert.AreEqual(6, Points(charts[2], "learning rate"));
        Assert.AreEqual(6, Section(doc, "curves").Descendants("details").Single().Descendants("tbody").Single().Elements("tr").Count());
    }

    [TestMethod]
    public void LossCurve_PointsAreWhereTheAxesPutThem()
    {
        // Epochs 1..3 and losses 2, 1, 0.5: x ticks step 1 over [1, 3] -> pixels 64..544; y ticks step 0.5 over
        // [0.5, 2] -> pixels 276..32. Epoch 2, loss 1: x = 304, y = 276 - (0.5 / 1.5) * 244 = 194.67.
        var report = new TrainingReport
        {
            Title = "t",
            History = [new(1, 2, 0.1, null, null, 0.1, 1), new(2, 1, 0.2, null, null, 0.1, 1), new(3, 0.5, 0.3, null, null, 0.1, 1)],
        };
        var doc = Parse(TrainingReportWriter.RenderHtml(report));
        var loss = Section(doc, "curves").Descendants(Svg + "svg").First();
        Assert.AreEqual("64,32 304,194.67 544,276", loss.Descendants(Svg + "polyline").Single().Attribute("points")!.Value);
        Assert.IsFalse(loss.Descendants(Svg + "polyline").Any(p => (string?)p.Attribute("data-series") == "validation"), "no validation series without validation data");
    }

    [TestMethod]
    public void LearningRate_SpanningDecades_UsesALogAxis()
    {
        var doc = Parse(TrainingReportWriter.RenderHtml(SampleReports.Full()));
        var rate = Section(doc, "curves").Descendants(Svg + "svg").ElementAt(2);
        var ticks = rate.Descendants(Svg + "text").Where(t => (string?)t.Attribute("class") == "tick" && (string?)t.Attribute("text-anchor") == "end")
            .Select(t => t.Value).ToArray();
        // Rates 0.1 .. 0.0001: one tick per decade.
        CollectionAssert.AreEqual(new[] { "1e-4", "0.001", "0.01", "0.1" }, ticks);
    }

    [TestMethod]
    public void Heatmap_HasOneCellPerPair_ColouredByRowShare_WithCounts()
    {
        var doc = Parse(TrainingReportWriter.RenderHtml(SampleReports.Full()));
        var cells = Section(doc, "confusion").Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "cell").ToArray();
        Assert.AreEqual(9, cells.Length);
        string Fill(int r, int c) => (string)cells.Single(x => (string?)x.Attribute("data-row") == $"{r}" && (string?)x.Attribute("data-col") == $"{c}").Attribute("fill")!;
        // Row 1 is all right (share 1: the dark end #08306b); row 0 is split 1/1 (share 0.5 of (f7,fb,ff)->(08,30,6b)).
        Assert.AreEqual("#08306b", Fill(1, 1));
        Assert.AreEqual("#f7fbff", Fill(1, 0));
        // 247 - 239 / 2 = 127.5 -> 128 (0x80); 251 - 203 / 2 = 149.5 -> 150 (0x96); 255 - 148 / 2 = 181 (0xb5).
        Assert.AreEqual("#8096b5", Fill(0, 0));
        var counts = Section(doc, "confusion").Descendants(Svg + "text").Where(t => (string?)t.Attribute("class") == "count").Select(t => t.Value).ToArray();
        CollectionAssert.AreEqual(new[] { "1", "1", "0", "0", "2", "0", "1", "0", "1" }, counts);
        var styles = Section(doc, "confusion").Descendants(Svg + "text").Where(t => (string?)t.Attribute("class") == "count").Select(t => (string?)t.Attribute("style")).ToArray();
        Assert.AreEqual("fill:#ffffff", styles[4], "light text on the dark cell");
        Assert.AreEqual("fill:#222222", styles[0]);
    }

    [TestMethod]
    public void TopLosses_ShowThumbnailsByRowId_AndNameTheClasses()
    {
        var doc = Parse(TrainingReportWriter.RenderHtml(SampleReports.Full()));
        var figures = Section(doc, "top-losses").Descendants("figure").ToArray();
        // Losses: row 101 -ln 0.3, row 104 -ln 0.4, row 102 -ln 0.7, then rows 100/103/105 tie at -ln 0.8 (lowest id first).
        CollectionAssert.AreEqual(new[] { "row 101", "row 104", "row 102", "row 100" },
            figures.Select(f => f.Element("figcaption")!.Nodes().OfType<XText>().First().Value).ToArray());
        CollectionAssert.AreEqual(new[] { "wrong", "wrong", "right", "right" }, figures.Select(f => (string?)f.Attribute("class")).ToArray());
        CollectionAssert.AreEqual(new[] { true, true, false, false }, figures.Select(f => f.Element("img") is not null).ToArray(), "thumbnails given for rows 101 and 104 only");
        var first = figures[0].Element("figcaption")!.Nodes().OfType<XText>().Select(t => t.Value).ToArray();
        CollectionAssert.AreEqual(new[] { "row 101", $"true: {SampleReports.Script}", "predicted: a&b", "confidence: 0.600", "loss: 1.204" }, first);
    }

    [TestMethod]
    public void Calibration_HasOnePointPerNonEmptyBin()
    {
        // Top scores 0.8, 0.6, 0.7, 0.8, 0.5, 0.8 fall in bins 12, 9, 10, 12, 7 of 15: four non-empty bins.
        var doc = Parse(TrainingReportWriter.RenderHtml(SampleReports.Full()));
        var chart = Section(doc, "calibration").Descendants(Svg + "svg").Single();
        var model = chart.Descendants(Svg + "polyline").Single(p => (string?)p.Attribute("data-series") == "model");
        Assert.AreEqual(4, model.Attribute("points")!.Value.Split(' ').Length);
        var ideal = chart.Descendants(Svg + "polyline").Single(p => (string?)p.Attribute("data-series") == "ideal");
        // x and y axes both run 0..1 (step 0.2): pixels 64..544 and 276..32.
        Assert.AreEqual("64,276 544,32", ideal.Attribute("points")!.Value);
    }

    [TestMethod]
    public void ManyClasses_EmbedTheHeatmapAsAPng()
    {
        // 100 classes, one row each, everything right: an identity confusion matrix.
        var acc = new MlPipelines.Evaluation.Metrics.MulticlassMetricsAccumulator(100);
        var scores = new float[100];
        for (int i = 0; i < 100; i++)
        {
            Array.Clear(scores);
            scores[i] = 1;
            acc.Update(i, scores);
        }
        var doc = Parse(TrainingReportWriter.RenderHtml(new TrainingReport { Title = "many", Metrics = acc.Compute() }));
        var confusion = Section(doc, "confusion");
        Assert.AreEqual(0, confusion.Descendants(Svg + "rect").Count(), "no SVG cells");
        var img = confusion.Descendants("img").Single();
        var png = Convert.FromBase64String(((string)img.Attribute("src")!)["data:image/png;base64,".Length..]);
        var image = DataPrep.Codecs.ImageCodecs.Decode(png);
        // Cells of 480 / 100 = 4 pixels: 24 + 400 + 16 wide.
        Assert.AreEqual(24 + 400 + 16, image.Width);
        int at = ((24 + 50 * 4 + 1) * image.Width + 24 + 50 * 4 + 1) * 3;
        CollectionAssert.AreEqual(new byte[] { 0x08, 0x30, 0x6b }, image.Pixels[at..(at + 3)], "diagonal cell 50 is fully right");
    }

    [TestMethod]
    public void DivergedOrSingleEpochHistories_DropNonFinitePoints()
    {
        var report = new TrainingReport
        {
            Title = "diverged",
            History = [new(1, 2.5, 0.2, double.NaN, 0.1, 0.1, 1), new(2, double.PositiveInfinity, 0.1, double.NaN, 0.1, double.NaN, 1)],
        };
        var doc = Parse(TrainingReportWriter.RenderHtml(report));
        var charts = Section(doc, "curves").Descendants(Svg + "svg").ToArray();
        int Points(XElement chart, string series) =>
            chart.Descendants(Svg + "polyline").SingleOrDefault(p => (string?)p.Attribute("data-series") == series)?.Attribute("points")!.Value.Split(' ').Length ?? 0;
        Assert.AreEqual(1, Points(charts[0], "train"), "the infinite loss is left out");
        Assert.AreEqual(0, Points(charts[0], "validation"), "no finite validation loss: no series");
        Assert.AreEqual(2, Points(charts[1], "validation"));
        Assert.AreEqual(1, Points(charts[2], "learning rate"));
        // One point: x axis 0..2 (step 1) around epoch 1 -> pixel 64 + 480 / 2 = 304.
        StringAssert.StartsWith(charts[0].Descendants(Svg + "polyline").Single().Attribute("points")!.Value, "304,");
        Assert.AreEqual(3, TrainingReportWriter.RenderPngCharts(report).Count);
    }
}
