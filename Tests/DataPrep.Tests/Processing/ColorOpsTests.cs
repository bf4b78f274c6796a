using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.Testing;

namespace MlPipelines.DataPrep.Tests.Processing;

[TestClass]
public sealed class ColorOpsTests
{
    private static string Fixture(string name) => Path.Combine(TestPaths.RepositoryRoot, "Tests", "DataPrep.Tests", "Fixtures", "Color", name + ".ppm");

    private static Image Source => ImageResizerTests.ReadPnm(Fixture("source"));

    /// <summary>Pillow blends in 8-bit fixed point and rounds its contrast mean to an integer; we blend in double.</summary>
    [TestMethod]
    [DataRow("brightness-0.6", 1)]
    [DataRow("brightness-1.4", 1)]
    [DataRow("contrast-0.5", 1)]
    [DataRow("contrast-1.5", 1)]
    [DataRow("saturation-0.3", 1)]
    [DataRow("saturation-1.7", 1)]
    [DataRow("sharpness-0.2", 1)]
    [DataRow("sharpness-2.0", 1)]
    [DataRow("posterize-3", 0)]
    [DataRow("solarize-128", 0)]
    [DataRow("autocontrast", 1)]
    [DataRow("equalize", 0)]
    public void MatchesPillow(string name, int tolerance)
    {
        Image src = Source;
        string[] parts = name.Split('-');
        double arg = parts.Length > 1 ? double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        Image actual = parts[0] switch
        {
            "brightness" => ColorOps.AdjustBrightness(src, arg),
            "contrast" => ColorOps.AdjustContrast(src, arg),
            "saturation" => ColorOps.AdjustSaturation(src, arg),
            "sharpness" => ColorOps.AdjustSharpness(src, arg),
            "posterize" => ColorOps.Posterize(src, (int)arg),
            "solarize" => ColorOps.Solarize(src, (int)arg),
            "autocontrast" => ColorOps.AutoContrast(src),
            _ => ColorOps.Equalize(src),
        };
        Image expected = ImageResizerTests.ReadPnm(Fixture(name));
        int max = expected.Pixels.Zip(actual.Pixels, (a, b) => Math.Abs(a - b)).Max();
        Assert.IsLessThanOrEqualTo(tolerance, max, $"{name}: max difference {max}");
    }

    [TestMethod]
    public void Hue_ZeroIsIdentity_AndAThirdTurnMapsRedToGreen()
    {
        Image src = Source;
        int max = src.Pixels.Zip(ColorOps.AdjustHue(src, 0).Pixels, (a, b) => Math.Abs(a - b)).Max();
        Assert.IsLessThanOrEqualTo(1, max);
        var red = new Image(1, 1, 3, [200, 0, 0]);
        CollectionAssert.AreEqual(new byte[] { 0, 200, 0 }, ColorOps.AdjustHue(red, 1.0 / 3).Pixels);
        CollectionAssert.AreEqual(new byte[] { 0, 0, 200 }, ColorOps.AdjustHue(red, -1.0 / 3).Pixels);
        var gray = new Image(1, 1, 3, [90, 90, 90]);
        CollectionAssert.AreEqual(gray.Pixels, ColorOps.AdjustHue(gray, 0.25).Pixels);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ColorOps.AdjustHue(red, 0.7));
    }

    [TestMethod]
    public void GaussianBlur_KeepsConstantsAndMean_AndSmooths()
    {
        var flat = new Image(9, 7, 3);
        Array.Fill(flat.Pixels, (byte)130);
        CollectionAssert.AreEqual(flat.Pixels, ColorOps.GaussianBlur(flat, 1.5).Pixels);

        var dot = new Image(15, 15, 1);
        dot.Pixels[7 * 15 + 7] = 255;
        Image blurred = ColorOps.GaussianBlur(dot, 1.0);
        Assert.IsLessThan(255, (int)blurred.Pixels[7 * 15 + 7]);
        Assert.AreEqual(blurred.Pixels[7 * 15 + 6], blurred.Pixels[7 * 15 + 8]); // symmetric
        Assert.AreEqual(blurred.Pixels[6 * 15 + 7], blurred.Pixels[7 * 15 + 6]);
        Assert.AreEqual(255, blurred.Pixels.Sum(b => b), 12); // mass is preserved up to rounding
    }

    [TestMethod]
    public void RgbOffset_AddsAndClamps_AndAlphaIsKept()
    {
        var img = new Image(1, 1, 4, [10, 250, 100, 77]);
        CollectionAssert.AreEqual(new byte[] { 30, 255, 90, 77 }, ColorOps.AddRgbOffset(img, 20, 20, -10).Pixels);
    }
}
