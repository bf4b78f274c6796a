using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.Evaluation.Reports;
using MlPipelines.Evaluation.Reports.Charts;
using MlPipelines.Evaluation.Tests.Helpers;
using MlPipelines.Testing;

namespace MlPipelines.Evaluation.Tests.Reports;

/// <summary>PNG export of the charts, decoded back with DataPrep's decoder.</summary>
[TestClass]
public sealed class PngChartTests
{
    private static (byte, byte, byte) Pixel(Image image, int x, int y)
    {
        int at = (y * image.Width + x) * image.Channels;
        return (image.Pixels[at], image.Pixels[at + 1], image.Pixels[at + 2]);
    }

    private static int CountColor(Image image, (byte, byte, byte) color)
    {
        int n = 0;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                if (Pixel(image, x, y) == color) n++;
        return n;
    }

    [TestMethod]
    public void AllCharts_DecodeToTheExpectedSize_AndAreNotBlank()
    {
        var pngs = TrainingReportWriter.RenderPngCharts(SampleReports.Full());
        CollectionAssert.AreEquivalent(new[] { "loss.png", "accuracy.png", "learning-rate.png", "confusion-matrix.png", "calibration.png" }, pngs.Keys.ToArray());
        foreach (string name in new[] { "loss.png", "accuracy.png", "learning-rate.png", "calibration.png" })
        {
            var image = ImageCodecs.Decode(pngs[name], name);
            Assert.AreEqual(560, image.Width, name);
            Assert.AreEqual(320, image.Height, name);
            Assert.AreEqual(3, image.Channels, name);
            int white = CountColor(image, (255, 255, 255));
            Assert.IsTrue(white < image.Width * image.Height * 0.98, $"{name} is (nearly) blank");
        }
        var loss = ImageCodecs.Decode(pngs["loss.png"]);
        Assert.IsTrue(CountColor(loss, (0x1f, 0x77, 0xb4)) > 100, "train line drawn");
        Assert.IsTrue(CountColor(loss, (0xd6, 0x27, 0x28)) > 100, "validation line drawn");
        var rate = ImageCodecs.Decode(pngs["learning-rate.png"]);
        Assert.IsTrue(CountColor(rate, (0x2c, 0xa0, 0x2c)) > 100, "learning-rate line drawn");
    }

    [TestMethod]
    public void LineChart_PutsMarkersWhereTheAxesMapThePoints()
    {
        // Same geometry as the SVG: epoch 2, loss 1 lands at (304, 194.67) -> marker covers 302..306 x 193..197.
        var history = new EpochRecord[] { new(1, 2, 0.1, null, null, 0.1, 1), new(2, 1, 0.2, null, null, 0.1, 1), new(3, 0.5, 0.3, null, null, 0.1, 1) };
        var image = RasterCharts.Line(ReportCharts.Loss(history));
        Assert.AreEqual(((byte)0x1f, (byte)0x77, (byte)0xb4), Pixel(image, 304, 195));
        Assert.AreEqual(((byte)0x1f, (byte)0x77, (byte)0xb4), Pixel(image, 64, 32), "epoch 1, loss 2: top-left corner of the plot");
        Assert.AreEqual(((byte)0x1f, (byte)0x77, (byte)0xb4), Pixel(image, 544, 276), "epoch 3, loss 0.5: bottom-right corner");
        Assert.AreEqual(((byte)255, (byte)255, (byte)255), Pixel(image, 450, 100), "nothing drawn far from the line, the legend and the grid");
    }

    [TestMethod]
    public void Heatmap_CellsHaveTheRowShareColour()
    {
        var metrics = SampleReports.Metrics();
        var image = ImageCodecs.Decode(TrainingReportWriter.RenderPngCharts(new TrainingReport { Title = "t", Metrics = metrics })["confusion-matrix.png"]);
        // 3 classes: cells of 48 px (480 / 3 clamped to 48); the grid starts at (16 + 8, 24).
        Assert.AreEqual(24 + 3 * 48 + 16, image.Width);
        Assert.AreEqual(24 + 3 * 48 + 16 + 24, image.Height);
        (byte, byte, byte) Inside(int r, int c) => Pixel(image, 24 + c * 48 + 3, 24 + r * 48 + 3);
        Assert.AreEqual(((byte)0x08, (byte)0x30, (byte)0x6b), Inside(1, 1), "row 1: 2 of 2");
        Assert.AreEqual(((byte)0xf7, (byte)0xfb, (byte)0xff), Inside(1, 0), "row 1: 0 of 2");
        Assert.AreEqual(((byte)0x80, (byte)0x96, (byte)0xb5), Inside(2, 0), "row 2: 1 of 2");
        Assert.AreEqual(((byte)255, (byte)255, (byte)255), Pixel(image, 24, 24), "white cell border");
        Assert.IsTrue(CountColor(image, (255, 255, 255)) < image.Width * image.Height * 0.9, "not blank");
    }

    [TestMethod]
    public void WritePngCharts_WritesEachFileAtomically()
    {
        string dir = TestPaths.NewTempFolder("eval-png");
        try
        {
            File.WriteAllText(Path.Combine(dir, "loss.png"), "old");
            var paths = TrainingReportWriter.WritePngCharts(SampleReports.Full(), dir);
            Assert.AreEqual(5, paths.Count);
            foreach (string path in paths)
            {
                var image = ImageCodecs.DecodeFile(path);
                Assert.IsTrue(image.Width > 100 && image.Height > 100, path);
            }
            CollectionAssert.AreEquivalent(paths.Select(Path.GetFileName).ToArray(),
                Directory.GetFiles(dir).Select(Path.GetFileName).ToArray(), "no temporary file left behind");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
