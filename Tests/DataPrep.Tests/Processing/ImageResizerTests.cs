using System.Text;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.Testing;

namespace MlPipelines.DataPrep.Tests.Processing;

[TestClass]
public sealed class ImageResizerTests
{
    private static string Fixtures => Path.Combine(TestPaths.RepositoryRoot, "Tests", "DataPrep.Tests", "Fixtures", "Resize");

    /// <summary>
    /// Pillow keeps its intermediate (after the horizontal pass) in 8 bits and its weights in fixed point;
    /// we keep floats. That rounding, not the filter, is the whole difference: at most 2 levels,
    /// and on average well under half a level.
    /// </summary>
    [TestMethod]
    [DataRow("rgb", "bilinear")]
    [DataRow("rgb", "bicubic")]
    [DataRow("rgb", "area")]
    [DataRow("rgb", "nearest")]
    [DataRow("gray", "bilinear")]
    [DataRow("gray", "bicubic")]
    [DataRow("gray", "area")]
    [DataRow("gray", "nearest")]
    public void MatchesPillow(string kind, string filterName)
    {
        string ext = kind == "rgb" ? "ppm" : "pgm";
        Image source = ReadPnm(Path.Combine(Fixtures, $"{kind}-source.{ext}"));
        var filter = filterName switch
        {
            "bilinear" => ResamplingFilter.Bilinear,
            "bicubic" => ResamplingFilter.Bicubic,
            "area" => ResamplingFilter.Area,
            _ => ResamplingFilter.Nearest,
        };
        foreach (var (w, h) in new[] { (20, 15), (64, 48), (13, 29), (7, 5) })
        {
            Image expected = ReadPnm(Path.Combine(Fixtures, $"{kind}-{filterName}-{w}x{h}.{ext}"));
            Image actual = ImageResizer.Resize(source, w, h, filter);
            Assert.AreEqual(expected.Channels, actual.Channels);
            int maxDiff = 0;
            long sumDiff = 0;
            for (int i = 0; i < expected.Pixels.Length; i++)
            {
                int d = Math.Abs(expected.Pixels[i] - actual.Pixels[i]);
                maxDiff = Math.Max(maxDiff, d);
                sumDiff += d;
            }
            int allowed = filter == ResamplingFilter.Nearest ? 0 : 2;
            Assert.IsLessThanOrEqualTo(allowed, maxDiff, $"{kind} {filterName} {w}x{h}: max difference {maxDiff}");
            Assert.IsLessThan(0.5, (double)sumDiff / expected.Pixels.Length, $"{kind} {filterName} {w}x{h}: mean difference");
        }
    }

    [TestMethod]
    public void AreaHalving_IsTheMeanOfEachTwoByTwoBlock()
    {
        var rng = new Random(3);
        var img = new Image(8, 6, 3);
        rng.NextBytes(img.Pixels);
        Image half = ImageResizer.Resize(img, 4, 3, ResamplingFilter.Area);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++)
                for (int c = 0; c < 3; c++)
                {
                    int sum = 0;
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++) sum += img.Pixels[((2 * y + dy) * 8 + 2 * x + dx) * 3 + c];
                    Assert.AreEqual((int)Math.Round(sum / 4.0, MidpointRounding.ToEven), half.Pixels[(y * 4 + x) * 3 + c], 1.0);
                }
    }

    [TestMethod]
    public void ConstantImage_StaysConstantForEveryFilterAndSize()
    {
        var img = new Image(23, 17, 1);
        Array.Fill(img.Pixels, (byte)77);
        foreach (ResamplingFilter f in Enum.GetValues<ResamplingFilter>())
            foreach (var (w, h) in new[] { (1, 1), (5, 40), (100, 3), (23, 17) })
                Assert.IsTrue(ImageResizer.Resize(img, w, h, f).Pixels.All(p => p == 77), $"{f} {w}x{h}");
    }

    [TestMethod]
    public void SameSize_IsIdentity()
    {
        var img = new Image(9, 7, 4);
        new Random(5).NextBytes(img.Pixels);
        foreach (ResamplingFilter f in Enum.GetValues<ResamplingFilter>())
            CollectionAssert.AreEqual(img.Pixels, ImageResizer.Resize(img, 9, 7, f).Pixels, f.ToString());
    }

    [TestMethod]
    public void Region_ReadsOnlyThatPartOfTheSource()
    {
        var img = new Image(10, 10, 1);
        for (int y = 0; y < 10; y++) for (int x = 0; x < 10; x++) img.Pixels[y * 10 + x] = (byte)(x < 5 ? 10 : 200);
        // The filter may read a little past the region's edge (as Pillow's box= does), so keep the edge
        // more than one filter radius (1.33 source pixels here) inside the bright half.
        Image right = ImageResizer.Resize(img, new SourceRegion(6, 0, 4, 10), 3, 3, ResamplingFilter.Bilinear);
        Assert.IsTrue(right.Pixels.All(p => p == 200));
        Image whole = ImageResizer.Resize(img, 3, 3, ResamplingFilter.Bilinear);
        Assert.IsTrue(whole.Pixels.Any(p => p < 200));
        Assert.ThrowsExactly<ArgumentException>(() => ImageResizer.Resize(img, new SourceRegion(0, 0, 0, 5), 3, 3));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageResizer.Resize(img, 0, 3));
    }

    /// <summary>Minimal binary PGM/PPM reader for the fixtures (the codec under test lives elsewhere).</summary>
    internal static Image ReadPnm(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int pos = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)bytes[pos])) pos++;
            var sb = new StringBuilder();
            while (!char.IsWhiteSpace((char)bytes[pos])) sb.Append((char)bytes[pos++]);
            return sb.ToString();
        }
        string magic = Token();
        int w = int.Parse(Token()), h = int.Parse(Token());
        _ = Token();
        pos++;
        int channels = magic == "P6" ? 3 : 1;
        return new Image(w, h, channels, bytes[pos..(pos + w * h * channels)]);
    }
}
