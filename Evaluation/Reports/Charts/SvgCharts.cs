using MlPipelines.Evaluation.Metrics;
using MlPipelines.Evaluation.Reports.Markup;

namespace MlPipelines.Evaluation.Reports.Charts;

/// <summary>Draws charts as inline SVG (one &lt;svg&gt; element each) into a <see cref="MarkupWriter"/>.</summary>
internal static class SvgCharts
{
    private const string SvgNamespace = "http://www.w3.org/2000/svg";
    private static string N(double v) => MarkupWriter.Number(v);

    /// <summary>
    /// A line chart: one &lt;polyline class="series"&gt; per series holding every point, one &lt;circle&gt; marker per point,
    /// grid lines and tick labels, axis labels and a legend.
    /// </summary>
    public static void Line(MarkupWriter w, LineChart chart, int width = 560, int height = 320)
    {
        var layout = new ChartLayout(chart, width, height);
        var (x0, y0, x1, y1) = layout.Plot;
        w.Open("svg", ("xmlns", SvgNamespace), ("class", "chart"), ("width", N(width)), ("height", N(height)),
            ("viewBox", $"0 0 {width} {height}"), ("role", "img"), ("aria-label", chart.Title));
        w.Element("title", chart.Title);
        w.Empty("rect", ("x", "0"), ("y", "0"), ("width", N(width)), ("height", N(height)), ("fill", "#ffffff"));
        w.Element("text", chart.Title, ("x", N(width / 2.0)), ("y", "18"), ("text-anchor", "middle"), ("class", "chart-title"));

        w.Open("g", ("class", "grid"));
        foreach (double t in layout.Y.Ticks)
        {
            double y = layout.Y.Map(t);
            w.Empty("line", ("x1", N(x0)), ("x2", N(x1)), ("y1", N(y)), ("y2", N(y)), ("stroke", "#e3e3e3"));
            w.Element("text", AxisScale.Label(t), ("x", N(x0 - 6)), ("y", N(y + 4)), ("text-anchor", "end"), ("class", "tick"));
        }
        foreach (double t in layout.X.Ticks)
        {
            double x = layout.X.Map(t);
            w.Empty("line", ("x1", N(x)), ("x2", N(x)), ("y1", N(y0)), ("y2", N(y1)), ("stroke", "#efefef"));
            w.Element("text", AxisScale.Label(t), ("x", N(x)), ("y", N(y1 + 16)), ("text-anchor", "middle"), ("class", "tick"));
        }
        w.Close("g");
        w.Empty("rect", ("x", N(x0)), ("y", N(y0)), ("width", N(x1 - x0)), ("height", N(y1 - y0)), ("fill", "none"), ("stroke", "#888888"));
        w.Element("text", chart.XLabel, ("x", N((x0 + x1) / 2.0)), ("y", N(height - 6)), ("text-anchor", "middle"), ("class", "axis-label"));
        w.Element("text", chart.YLabel, ("x", "14"), ("y", N((y0 + y1) / 2.0)), ("text-anchor", "middle"),
            ("transform", $"rotate(-90 14 {N((y0 + y1) / 2.0)})"), ("class", "axis-label"));

        foreach (var s in chart.Series)
        {
            string points = string.Join(" ", s.Points.Select(p => $"{N(layout.X.Map(p.X))},{N(layout.Y.Map(p.Y))}"));
            w.Open("g", ("class", "series-group"), ("data-series", s.Name));
            w.Empty("polyline", ("class", "series"), ("data-series", s.Name), ("points", points), ("fill", "none"), ("stroke", s.Color),
                ("stroke-width", "2"), ("stroke-dasharray", s.Dashed ? "6 4" : null));
            foreach (var p in s.Points)
            {
                w.Open("circle", ("cx", N(layout.X.Map(p.X))), ("cy", N(layout.Y.Map(p.Y))), ("r", "2.5"), ("fill", s.Color));
                w.Element("title", $"{s.Name}: {chart.XLabel} {AxisScale.Label(p.X)}, {chart.YLabel} {p.Y.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}");
                w.Close("circle");
            }
            w.Close("g");
        }

        double ly = y0 + 8;
        foreach (var s in chart.Series)
        {
            w.Empty("line", ("x1", N(x1 - 110)), ("x2", N(x1 - 90)), ("y1", N(ly)), ("y2", N(ly)), ("stroke", s.Color), ("stroke-width", "2"),
                ("stroke-dasharray", s.Dashed ? "6 4" : null));
            w.Element("text", s.Name, ("x", N(x1 - 84)), ("y", N(ly + 4)), ("class", "legend"));
            ly += 16;
        }
        w.Close("svg");
    }

    /// <summary>
    /// The confusion matrix as a heatmap: rows true classes, columns predicted; each cell's colour is its share of the
    /// row (the recall on the diagonal), its text the count; class names on both axes. One &lt;rect class="cell"&gt; per cell.
    /// </summary>
    public static void Heatmap(MarkupWriter w, ConfusionMatrix matrix)
    {
        var g = new HeatmapGeometry(matrix, nameWidth: Math.Min(160, 8 + 7 * matrix.ClassNames.Max(n => Math.Min(n.Length, 20))));
        w.Open("svg", ("xmlns", SvgNamespace), ("class", "heatmap"), ("width", N(g.Width)), ("height", N(g.Height)),
            ("viewBox", $"0 0 {g.Width} {g.Height}"), ("role", "img"), ("aria-label", "Confusion matrix"));
        w.Element("title", "Confusion matrix (rows: true class, columns: predicted class)");
        w.Empty("rect", ("x", "0"), ("y", "0"), ("width", N(g.Width)), ("height", N(g.Height)), ("fill", "#ffffff"));
        int n = matrix.NumberOfClasses;
        for (int r = 0; r < n; r++)
        {
            long rowSum = 0;
            for (int c = 0; c < n; c++) rowSum += matrix[r, c];
            for (int c = 0; c < n; c++)
            {
                long count = matrix[r, c];
                double share = rowSum == 0 ? 0 : (double)count / rowSum;
                var (cx, cy) = g.Cell(r, c);
                w.Open("rect", ("class", "cell"), ("data-row", N(r)), ("data-col", N(c)), ("x", N(cx)), ("y", N(cy)),
                    ("width", N(g.CellSize)), ("height", N(g.CellSize)), ("fill", HeatColor.Hex(share)), ("stroke", "#ffffff"));
                w.Element("title", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"true {matrix.ClassNames[r]}, predicted {matrix.ClassNames[c]}: {count} ({share * 100:0.0}%)"));
                w.Close("rect");
                if (g.ShowCounts)
                    w.Element("text", count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ("x", N(cx + g.CellSize / 2.0)), ("y", N(cy + g.CellSize / 2.0 + 4)), ("text-anchor", "middle"),
                        ("class", "count"), ("style", share > 0.5 ? "fill:#ffffff" : "fill:#222222")); // style: the page's CSS would win over a fill attribute
            }
        }
        for (int i = 0; i < n; i++)
        {
            var (_, ry) = g.Cell(i, 0);
            w.Element("text", Short(matrix.ClassNames[i]), ("x", N(g.Left - 6)), ("y", N(ry + g.CellSize / 2.0 + 4)), ("text-anchor", "end"), ("class", "class-name"));
            var (cx, _) = g.Cell(0, i);
            double tx = cx + g.CellSize / 2.0, ty = g.Top + n * g.CellSize + 10;
            w.Element("text", Short(matrix.ClassNames[i]), ("x", N(tx)), ("y", N(ty)), ("text-anchor", "end"),
                ("transform", $"rotate(-45 {N(tx)} {N(ty)})"), ("class", "class-name"));
        }
        w.Element("text", "columns: predicted class", ("x", N(g.Left + n * g.CellSize / 2.0)), ("y", N(g.Height - 6)), ("text-anchor", "middle"), ("class", "axis-label"));
        w.Element("text", "rows: true class", ("x", N(g.Left + n * g.CellSize / 2.0)), ("y", "16"), ("text-anchor", "middle"), ("class", "axis-label"));
        w.Close("svg");
    }

    private static string Short(string name) => name.Length <= 20 ? name : name[..19] + "\u2026";
}
