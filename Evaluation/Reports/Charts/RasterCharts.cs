using MlPipelines.DataPrep.Imaging;
using MlPipelines.Evaluation.Metrics;

namespace MlPipelines.Evaluation.Reports.Charts;

/// <summary>Draws charts into RGB pixels (for PNG export): the same layout as the SVG, with tick labels in a tiny digit font.</summary>
internal static class RasterCharts
{
    private static readonly (byte, byte, byte) White = (255, 255, 255), Frame = (136, 136, 136), Grid = (227, 227, 227), Ink = (34, 34, 34);

    /// <summary>
    /// A line chart: title, axis labels, grid, frame, tick labels, each series as a 2-pixel line with a 5x5 marker per
    /// point, and a legend (labels in capitals: the font has no lower case).
    /// </summary>
    public static Image Line(LineChart chart, int width = 560, int height = 320)
    {
        var layout = new ChartLayout(chart, width, height);
        var (x0, y0, x1, y1) = layout.Plot;
        var canvas = new RgbCanvas(width, height, White);
        foreach (double t in layout.Y.Ticks)
        {
            int y = (int)Math.Round(layout.Y.Map(t));
            canvas.FillRect(x0, y, x1 - x0, 1, Grid);
            string label = AxisScale.Label(t);
            canvas.Text(x0 - 6 - PixelFont.Measure(label) * 2, y - 5, label, Ink, 2);
        }
        foreach (double t in layout.X.Ticks)
        {
            int x = (int)Math.Round(layout.X.Map(t));
            canvas.FillRect(x, y0, 1, y1 - y0, Grid);
            string label = AxisScale.Label(t);
            canvas.Text(x - PixelFont.Measure(label), y1 + 6, label, Ink, 2);
        }
        canvas.StrokeRect(x0, y0, x1 - x0 + 1, y1 - y0 + 1, Frame);
        string title = PixelFont.Normalize(chart.Title), xLabel = PixelFont.Normalize(chart.XLabel);
        canvas.Text((width - PixelFont.Measure(title) * 2) / 2, 10, title, Ink, 2);
        canvas.Text((x0 + x1 - PixelFont.Measure(xLabel) * 2) / 2, height - 14, xLabel, Ink, 2);
        string yLabel = PixelFont.Normalize(chart.YLabel);
        if (yLabel != title) canvas.Text(4, 10, yLabel, Ink, 2); // above the axis (the font cannot turn); left out when the title says it
        foreach (var s in chart.Series)
        {
            var color = HeatColor.Parse(s.Color);
            for (int i = 1; i < s.Points.Count; i++)
                canvas.Line(layout.X.Map(s.Points[i - 1].X), layout.Y.Map(s.Points[i - 1].Y), layout.X.Map(s.Points[i].X), layout.Y.Map(s.Points[i].Y), color, 2);
            foreach (var p in s.Points)
                canvas.FillRect((int)Math.Round(layout.X.Map(p.X)) - 2, (int)Math.Round(layout.Y.Map(p.Y)) - 2, 5, 5, color);
        }
        int ly = y0 + 8;
        foreach (var s in chart.Series)
        {
            string name = PixelFont.Normalize(s.Name);
            int textX = x1 - 8 - PixelFont.Measure(name) * 2;
            canvas.FillRect(textX - 26, ly + 4, 20, 3, HeatColor.Parse(s.Color));
            canvas.Text(textX, ly, name, Ink, 2);
            ly += 14;
        }
        return new Image(width, height, 3, canvas.Pixels);
    }

    /// <summary>
    /// The confusion-matrix heatmap: the same cells and colours as the SVG (cells down to one pixel for many classes),
    /// white cell borders when cells are 6 pixels or more, counts in the digit font when cells are large enough.
    /// </summary>
    public static Image Heatmap(ConfusionMatrix matrix)
    {
        var g = new HeatmapGeometry(matrix, nameWidth: 16, minCell: 1);
        var canvas = new RgbCanvas(g.Width, g.Height, White);
        int n = matrix.NumberOfClasses;
        for (int r = 0; r < n; r++)
        {
            long rowSum = 0;
            for (int c = 0; c < n; c++) rowSum += matrix[r, c];
            for (int c = 0; c < n; c++)
            {
                double share = rowSum == 0 ? 0 : (double)matrix[r, c] / rowSum;
                var (x, y) = g.Cell(r, c);
                canvas.FillRect(x, y, g.CellSize, g.CellSize, HeatColor.Rgb(share));
                if (g.CellSize >= 6) canvas.StrokeRect(x, y, g.CellSize, g.CellSize, White);
                string count = matrix[r, c].ToString(System.Globalization.CultureInfo.InvariantCulture);
                int scale = g.CellSize >= 40 ? 2 : 1;
                if (g.ShowCounts && PixelFont.Measure(count) * scale <= g.CellSize - 4)
                    canvas.Text(x + (g.CellSize - PixelFont.Measure(count) * scale) / 2, y + (g.CellSize - PixelFont.GlyphHeight * scale) / 2,
                        count, share > 0.5 ? White : Ink, scale);
            }
        }
        const string Caption = "ROWS: TRUE  COLUMNS: PREDICTED";
        if (PixelFont.Measure(Caption) <= g.Width - 8) canvas.Text((g.Width - PixelFont.Measure(Caption)) / 2, 8, Caption, Ink);
        return new Image(g.Width, g.Height, 3, canvas.Pixels);
    }
}
