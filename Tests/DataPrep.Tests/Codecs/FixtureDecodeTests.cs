using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Tests.Codecs;

/// <summary>
/// Every committed fixture decodes to exactly the pixels of its reference decoder: libpng (pngtopam) for PNG,
/// Netpbm's bmptopnm / giftopnm / pamdepth, or Pillow where Netpbm lacks the feature (see make_codec_fixtures.py).
/// </summary>
[TestClass]
public sealed class FixtureDecodeTests
{
    public static IEnumerable<object[]> PngCases => CodecFixtures.Cases("Png", ".png");

    public static IEnumerable<object[]> BmpCases => CodecFixtures.Cases("Bmp", ".bmp");

    public static IEnumerable<object[]> GifCases => CodecFixtures.Cases("Gif", ".gif");

    public static IEnumerable<object[]> PnmCases =>
        new[] { ".pbm", ".pgm", ".ppm" }.SelectMany(e => CodecFixtures.Cases("Pnm", e))
            .Concat(CodecFixtures.Cases("Pnm", ".pam").Where(c => !((string)c[0]).EndsWith(".ref.pam", StringComparison.Ordinal)));

    [TestMethod]
    [DynamicData(nameof(PngCases))]
    public void Png_MatchesLibpng(string file) => Check("Png", file, "PNG");

    [TestMethod]
    [DynamicData(nameof(BmpCases))]
    public void Bmp_MatchesReference(string file) => Check("Bmp", file, "BMP");

    [TestMethod]
    [DynamicData(nameof(GifCases))]
    public void Gif_MatchesGiftopnm(string file) => Check("Gif", file, "GIF");

    [TestMethod]
    [DynamicData(nameof(PnmCases))]
    public void Pnm_MatchesPamdepth(string file) => Check("Pnm", file, "PNM");

    [TestMethod]
    public void EveryFormatHasFixtures()
    {
        Assert.IsGreaterThanOrEqualTo(75, PngCases.Count());
        Assert.IsGreaterThanOrEqualTo(25, BmpCases.Count());
        Assert.IsGreaterThanOrEqualTo(15, GifCases.Count());
        Assert.IsGreaterThanOrEqualTo(18, PnmCases.Count());
    }

    private static void Check(string folder, string file, string format)
    {
        string path = Path.Combine(CodecFixtures.Folder(folder), file);
        byte[] bytes = File.ReadAllBytes(path);
        Assert.AreEqual(format, ImageCodecs.DetectFormat(bytes), file);
        Image actual = ImageCodecs.DecodeFile(path);
        CodecFixtures.AssertSame(CodecFixtures.Reference(folder, file), actual, file);
        // The in-memory and stream entry points agree with the file one.
        CodecFixtures.AssertSame(actual, ImageCodecs.Decode(bytes, file), file + " (bytes)");
    }
}
