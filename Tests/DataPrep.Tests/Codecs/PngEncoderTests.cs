using System.Diagnostics;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Codecs.Png;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.Testing;

namespace MlPipelines.DataPrep.Tests.Codecs;

[TestClass]
public sealed class PngEncoderTests
{
    [TestMethod]
    public void RoundTrip_EveryChannelCountAndFilterStrategy()
    {
        foreach (int channels in new[] { 1, 3, 4 })
            foreach (PngFilterStrategy strategy in Enum.GetValues<PngFilterStrategy>())
                foreach (var (w, h) in new[] { (1, 1), (13, 7), (64, 3) })
                {
                    Image image = CodecFixtures.Synthetic(w, h, channels, (w * 31) + channels);
                    byte[] png = ImageCodecs.EncodePng(image, new PngEncoderOptions { Filter = strategy });
                    CodecFixtures.AssertSame(image, ImageCodecs.Decode(png), $"{channels} channels, {strategy}, {w}x{h}");
                }
    }

    [TestMethod]
    public void AdaptiveFiltering_CompressesASmoothImageBetterThanNoFiltering()
    {
        var image = new Image(96, 64, 3);
        for (int i = 0; i < image.Pixels.Length; i++) image.Pixels[i] = (byte)((i / 3 % 96) + (i / 288 * 2) + (i % 3 * 40));
        int none = ImageCodecs.EncodePng(image, new PngEncoderOptions { Filter = PngFilterStrategy.None }).Length;
        int adaptive = ImageCodecs.EncodePng(image).Length;
        Assert.IsLessThan(none, adaptive);
    }

    /// <summary>libpng (through Netpbm's pngtopam, installed by test.sh) reads our files to the same pixels.</summary>
    [TestMethod]
    public void OurPng_IsReadIdenticallyByLibpng()
    {
        string folder = TestPaths.NewTempFolder("png-encode");
        try
        {
            foreach (int channels in new[] { 1, 3, 4 })
            {
                Image image = CodecFixtures.Synthetic(37, 21, channels, channels);
                string path = Path.Combine(folder, $"c{channels}.png");
                ImageCodecs.SavePng(image, path);
                string pam = Path.Combine(folder, $"c{channels}.pam");
                RunPngtopam(path, pam);
                var (w, h, depth, samples) = CodecFixtures.ReadPamSamples(pam);
                Assert.AreEqual((image.Width, image.Height), (w, h));
                Assert.AreEqual(channels == 1 ? 2 : 4, depth); // -alphapam adds an opaque alpha
                for (int p = 0; p < w * h; p++)
                {
                    for (int c = 0; c < channels; c++)
                        Assert.AreEqual(image.Pixels[(p * channels) + c], samples[(p * depth) + (channels == 1 ? 0 : c)], $"pixel {p}");
                    if (channels != 4) Assert.AreEqual(255, samples[(p * depth) + depth - 1]);
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void RunPngtopam(string png, string pam)
    {
        const string Tool = "/usr/bin/pngtopam";
        Assert.IsTrue(File.Exists(Tool), "pngtopam (Debian package netpbm) is required; ./test.sh installs it");
        var psi = new ProcessStartInfo(Tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-alphapam");
        psi.ArgumentList.Add(png);
        using var process = Process.Start(psi)!;
        using (var file = File.Create(pam)) process.StandardOutput.BaseStream.CopyTo(file);
        string err = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, err);
    }
}
