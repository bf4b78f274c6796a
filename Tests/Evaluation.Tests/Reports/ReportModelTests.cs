using MlPipelines.Evaluation.Reports;
using MlPipelines.Evaluation.Tests.Helpers;
using MlPipelines.Testing;

namespace MlPipelines.Evaluation.Tests.Reports;

/// <summary>The report's input model and file writing.</summary>
[TestClass]
public sealed class ReportModelTests
{
    [TestMethod]
    public void GrayFilter_IsTheChannelMean_ScaledFromMinToMax()
    {
        // One 2x2 filter over two input channels: means 0, 1, 2, 5 -> (v - 0) / 5 * 255 = 0, 51, 102, 255.
        var bank = new FilterBank([0, 2, 4, 10, 0, 0, 0, 0], 1, 2, 2, 2);
        var image = bank.ToImage(0);
        Assert.AreEqual(2, image.Width);
        Assert.AreEqual(2, image.Height);
        Assert.AreEqual(1, image.Channels);
        CollectionAssert.AreEqual(new byte[] { 0, 51, 102, 255 }, image.Pixels);
    }

    [TestMethod]
    public void RgbFilter_InterleavesTheThreeInputChannels()
    {
        // Two 1x2 filters over RGB; filter 1 is [r: 0 1][g: 5 0][b: 1 0] -> pixel 0 = (0, 255, 51), pixel 1 = (51, 0, 0).
        var bank = new FilterBank([9, 9, 9, 9, 9, 9, 0, 1, 5, 0, 1, 0], 2, 3, 1, 2);
        var image = bank.ToImage(1);
        Assert.AreEqual(3, image.Channels);
        CollectionAssert.AreEqual(new byte[] { 0, 255, 51, 51, 0, 0 }, image.Pixels);
        CollectionAssert.AreEqual(new byte[] { 128, 128, 128, 128, 128, 128 }, bank.ToImage(0).Pixels, "a constant filter is mid-gray");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => bank.ToImage(2));
    }

    [TestMethod]
    public void BadShapes_AreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new FilterBank(new float[5], 1, 1, 2, 2));
        Assert.ThrowsExactly<ArgumentException>(() => new ReportImage(2, 2, 3, new byte[11]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ReportImage(2, 2, 4, new byte[16]));
    }

    [TestMethod]
    public void WriteHtml_ReplacesTheFileAtomically()
    {
        string dir = TestPaths.NewTempFolder("eval-html");
        try
        {
            string path = Path.Combine(dir, "sub", "report.html");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "old");
            var report = SampleReports.Full();
            TrainingReportWriter.WriteHtml(report, path);
            Assert.AreEqual(TrainingReportWriter.RenderHtml(report), File.ReadAllText(path));
            CollectionAssert.AreEqual(new[] { "report.html" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void MinimalReport_HasOnlyTheTitle()
    {
        string html = TrainingReportWriter.RenderHtml(new TrainingReport { Title = "empty" });
        Assert.IsFalse(html.Contains("<section", StringComparison.Ordinal));
        Assert.AreEqual(0, TrainingReportWriter.RenderPngCharts(new TrainingReport { Title = "empty" }).Count);
    }
}
