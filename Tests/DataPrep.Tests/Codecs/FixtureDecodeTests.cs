using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Tests.Codecs;

/// <summary>
/// Every committed fixture decodes to exactly the pixels of its reference decoder: libpng (pngtopam) for PNG,
/// Netpbm's bmptopnm / giftopnm / pamdepth, or Pillow where Netpbm lacks the feature (see make_codec_fixtures.py);
/// libjpeg-turbo's djpeg for JPEG (see make_jpeg_fixtures.py).
/// </summary>
[TestClass]
public sealed class FixtureDecodeTests
{
    /// <summary>Largest difference per channel allowed between our JPEG decode and the committed djpeg references.</summary>
    public const int JpegTolerance = 0;

    public static IEnumerable<object[]> PngCases => CodecFixtures.Cases("Png", ".png");

    public static IEnumerable<object[]> BmpCases => CodecFixtures.Cases("Bmp", ".bmp");

    public static IEnumerable<object[]> GifCases => CodecFixtures.Cases("Gif", ".gif");

    public static IEnumerable<object[]> JpegCases => CodecFixtures.Cases("Jpeg", ".jpg");

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

    /// <summary>
    /// JPEG: the pixels of djpeg's default decode (islow IDCT, fancy upsampling) within <see cref="JpegTolerance"/>.
    /// The decoder follows libjpeg-turbo's integer arithmetic, so against the committed references it is exact;
    /// the test-time comparisons with the installed djpeg (JpegReferenceTests) allow the issue's +-2.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(JpegCases))]
    public void Jpeg_MatchesDjpeg(string file)
    {
        string path = Path.Combine(CodecFixtures.Folder("Jpeg"), file);
        byte[] bytes = File.ReadAllBytes(path);
        Assert.AreEqual("JPEG", ImageCodecs.DetectFormat(bytes), file);
        Image actual = ImageCodecs.DecodeFile(path);
        CodecFixtures.AssertClose(CodecFixtures.Reference("Jpeg", file), actual, JpegTolerance, file);
        CodecFixtures.AssertSame(actual, ImageCodecs.Decode(bytes, file), file + " (bytes)");
    }

    [TestMethod]
    public void EveryFormatHasFixtures()
    {
        Assert.IsGreaterThanOrEqualTo(75, PngCases.Count());
        Assert.IsGreaterThanOrEqualTo(25, BmpCases.Count());
        Assert.IsGreaterThanOrEqualTo(15, GifCases.Count());
        Assert.IsGreaterThanOrEqualTo(18, PnmCases.Count());
        Assert.IsGreaterThanOrEqualTo(50, JpegCases.Count());
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
