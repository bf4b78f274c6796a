using System.Text;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.Testing;

namespace MlPipelines.DataPrep.Tests.Codecs;

/// <summary>
/// The committed codec fixtures (made by Fixtures/make_codec_fixtures.py) and a small, independent reader
/// for their reference pixels (binary PAM, maxval 255, written by the script from libpng/Netpbm/Pillow output).
/// </summary>
internal static class CodecFixtures
{
    public static string Folder(string format) => Path.Combine(TestPaths.RepositoryRoot, "Tests", "DataPrep.Tests", "Fixtures", format);

    /// <summary>Every fixture of a format folder with its reference file, as [fileName] rows for DynamicData.</summary>
    public static IEnumerable<object[]> Cases(string format, string extension) =>
        Directory.EnumerateFiles(Folder(format), "*" + extension)
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .Select(name => new object[] { name! });

    /// <summary>The reference pixels of a fixture (NAME.ref.pam beside NAME.EXT).</summary>
    public static Image Reference(string format, string fileName) =>
        ReadPam(Path.Combine(Folder(format), Path.GetFileNameWithoutExtension(fileName) + ".ref.pam"));

    /// <summary>Reads a P7 file with DEPTH 1, 3 or 4 and MAXVAL 255.</summary>
    public static Image ReadPam(string path)
    {
        var (w, h, d, samples) = ReadPamSamples(path);
        return new Image(w, h, d, samples);
    }

    /// <summary>Reads a P7 file with MAXVAL 255 and any depth.</summary>
    public static (int Width, int Height, int Depth, byte[] Samples) ReadPamSamples(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int end = bytes.AsSpan().IndexOf("ENDHDR\n"u8);
        Assert.IsGreaterThan(0, end, $"{path}: no ENDHDR");
        var fields = Encoding.ASCII.GetString(bytes, 0, end).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1)
            .Select(line => line.Split(' ', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        Assert.AreEqual("255", fields["MAXVAL"], path);
        int w = int.Parse(fields["WIDTH"], System.Globalization.CultureInfo.InvariantCulture);
        int h = int.Parse(fields["HEIGHT"], System.Globalization.CultureInfo.InvariantCulture);
        int d = int.Parse(fields["DEPTH"], System.Globalization.CultureInfo.InvariantCulture);
        int start = end + "ENDHDR\n".Length;
        return (w, h, d, bytes.AsSpan(start, w * h * d).ToArray());
    }

    /// <summary>Asserts identical size, channels and pixels, naming the first differing pixel.</summary>
    public static void AssertSame(Image expected, Image actual, string what)
    {
        Assert.AreEqual((expected.Width, expected.Height, expected.Channels), (actual.Width, actual.Height, actual.Channels), $"{what}: geometry");
        int mismatch = expected.Pixels.AsSpan().CommonPrefixLength(actual.Pixels);
        if (mismatch < expected.Pixels.Length)
        {
            int pixel = mismatch / expected.Channels;
            Assert.Fail($"{what}: pixel ({pixel % expected.Width}, {pixel / expected.Width}) channel {mismatch % expected.Channels} " +
                $"is {actual.Pixels[mismatch]}, reference {expected.Pixels[mismatch]}");
        }
    }

    /// <summary>
    /// Asserts identical size and channels and every sample within <paramref name="tolerance"/>, naming the worst
    /// sample; returns the largest difference seen.
    /// </summary>
    public static int AssertClose(Image expected, Image actual, int tolerance, string what)
    {
        Assert.AreEqual((expected.Width, expected.Height, expected.Channels), (actual.Width, actual.Height, actual.Channels), $"{what}: geometry");
        int worst = 0, at = 0;
        for (int i = 0; i < expected.Pixels.Length; i++)
        {
            int d = Math.Abs(expected.Pixels[i] - actual.Pixels[i]);
            if (d > worst)
            {
                worst = d;
                at = i;
            }
        }

        if (worst > tolerance)
        {
            int pixel = at / expected.Channels;
            Assert.Fail($"{what}: pixel ({pixel % expected.Width}, {pixel / expected.Width}) channel {at % expected.Channels} " +
                $"is {actual.Pixels[at]}, reference {expected.Pixels[at]} (tolerance {tolerance})");
        }

        return worst;
    }

    /// <summary>A deterministic image with smooth and noisy parts.</summary>
    public static Image Synthetic(int width, int height, int channels, int seed)
    {
        var rng = new Random(seed);
        var image = new Image(width, height, channels);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                    image.Pixels[(((y * width) + x) * channels) + c] = (byte)(((x * (3 + c)) + (y * (5 - c)) + rng.Next(12)) & 0xFF);
        return image;
    }
}
