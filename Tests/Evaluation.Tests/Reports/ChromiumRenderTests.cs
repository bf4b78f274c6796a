using System.Diagnostics;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.Evaluation.Reports;
using MlPipelines.Evaluation.Tests.Helpers;
using MlPipelines.Testing;

namespace MlPipelines.Evaluation.Tests.Reports;

/// <summary>Renders the report in headless Chromium (installed by test.sh) and checks what it drew.</summary>
[TestClass]
public sealed class ChromiumRenderTests
{
    private const string Chromium = "/usr/bin/chromium";

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public void Report_RendersInHeadlessChromium_AndIsNotBlank()
    {
        if (!File.Exists(Chromium))
            Assert.Fail($"{Chromium} is missing: install the Debian package 'chromium' (test.sh does).");
        string dir = TestPaths.NewTempFolder("eval-chromium");
        try
        {
            string html = Path.Combine(dir, "report.html");
            string shot = Path.Combine(dir, "shot.png");
            TrainingReportWriter.WriteHtml(SampleReports.Full(), html);
            var (exitCode, output) = Run(Chromium, TimeSpan.FromSeconds(150),
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
                $"--user-data-dir={Path.Combine(dir, "profile")}", $"--screenshot={shot}", "--window-size=1200,2000",
                new Uri(html).AbsoluteUri);
            Assert.IsTrue(File.Exists(shot), $"no screenshot (exit code {exitCode}): {output}");

            Image image = ImageCodecs.DecodeFile(shot);
            Assert.AreEqual(1200, image.Width);
            Assert.AreEqual(2000, image.Height);
            var background = Pixel(image, 1199, 1999);
            long drawn = 0, heatmapDark = 0;
            for (int y = 0; y < image.Height; y++)
                for (int x = 0; x < image.Width; x++)
                {
                    var p = Pixel(image, x, y);
                    if (p != background) drawn++;
                    if (Near(p, (0x08, 0x30, 0x6b))) heatmapDark++; // within a colour-management rounding
                }
            Assert.IsTrue(drawn > image.Width * image.Height / 20, $"only {drawn} pixels differ from the background: blank page?");
            // The fully-right heatmap row is a 48 x 48 cell of the scale's dark end (less its border and count text).
            Assert.IsTrue(heatmapDark > 1000, $"{heatmapDark} pixels of the heatmap's dark colour: the SVG was not drawn");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static bool Near((byte R, byte G, byte B) a, (byte R, byte G, byte B) b) =>
        Math.Abs(a.R - b.R) <= 3 && Math.Abs(a.G - b.G) <= 3 && Math.Abs(a.B - b.B) <= 3;

    private static (byte, byte, byte) Pixel(Image image, int x, int y)
    {
        int at = (y * image.Width + x) * image.Channels;
        return (image.Pixels[at], image.Pixels[at + 1], image.Pixels[at + 2]);
    }

    private static (int ExitCode, string Output) Run(string file, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} did not finish within {timeout.TotalSeconds} s.");
        }
        process.WaitForExit();
        string output = stdout.Result + stderr.Result;
        return (process.ExitCode, output.Length > 2000 ? output[^2000..] : output);
    }
}
