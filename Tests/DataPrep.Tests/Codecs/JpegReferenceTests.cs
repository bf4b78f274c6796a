using System.Diagnostics;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Tests.Codecs;

/// <summary>
/// Randomised agreement with the installed libjpeg-turbo (test.sh installs libjpeg-turbo-progs; without cjpeg and
/// djpeg these tests fail, they never skip): seeded random sizes, sampling factors, qualities, restart intervals,
/// progressive and optimised coding are encoded by cjpeg, and our decode must match djpeg's default decode
/// (islow IDCT, fancy upsampling) within +-2 per channel.
/// </summary>
[TestClass]
public sealed class JpegReferenceTests
{
    private const int Tolerance = 2;
    private static readonly string[] Samplings = ["1x1", "2x1", "2x2", "1x2", "4x1", "2x2,1x2,2x1", "3x2,1x1,1x1", "4x1,2x1,1x1", "1x4,1x2,1x1"];

    public static IEnumerable<object[]> Seeds => Enumerable.Range(1, 24).Select(i => new object[] { i });

    [TestMethod]
    [DynamicData(nameof(Seeds))]
    public void RandomEncoding_MatchesDjpeg(int seed)
    {
        var rng = new Random(seed * 7919);
        int width = rng.Next(1, 131), height = rng.Next(1, 91);
        bool gray = rng.Next(6) == 0;
        Image source = Photo(width, height, gray ? 1 : 3, rng);
        var args = new List<string> { "-quality", rng.Next(5, 101).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (!gray) args.AddRange(["-sample", Samplings[rng.Next(Samplings.Length)]]);
        if (rng.Next(2) == 0) args.Add("-progressive");
        if (rng.Next(3) == 0) args.Add("-optimize");
        if (rng.Next(3) == 0) args.AddRange(["-restart", $"{rng.Next(1, 6)}B"]);
        string what = $"seed {seed}: {width}x{height} cjpeg {string.Join(' ', args)}";

        byte[] jpeg = Tool("cjpeg", args, ImageCodecs.EncodePnm(source));
        Image reference = ImageCodecs.Decode(Tool("djpeg", ["-pnm"], jpeg), "djpeg output");
        Image actual = ImageCodecs.Decode(jpeg, what);
        CodecFixtures.AssertClose(reference, actual, Tolerance, what);
    }

    /// <summary>Gradients, a hard-edged box and noise: enough texture for every coefficient band.</summary>
    private static Image Photo(int width, int height, int channels, Random rng)
    {
        var image = new Image(width, height, channels);
        int bx = rng.Next(width), by = rng.Next(height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                {
                    double v = 128 + (90 * Math.Sin((x * (0.05 + (0.03 * c))) + (y * 0.07) + c)) + rng.Next(-8, 9);
                    if (x >= bx && x < bx + 9 && y >= by && y < by + 7) v = c == 1 ? 0 : 255;
                    image.Pixels[(((y * width) + x) * channels) + c] = (byte)Math.Clamp(v, 0, 255);
                }

        return image;
    }

    private static byte[] Tool(string name, IEnumerable<string> args, byte[] input)
    {
        string path = $"/usr/bin/{name}";
        Assert.IsTrue(File.Exists(path), $"{path} is missing: install libjpeg-turbo-progs (test.sh does)");
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        Task<string> errors = p.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        Task copy = p.StandardOutput.BaseStream.CopyToAsync(output);
        p.StandardInput.BaseStream.Write(input);
        p.StandardInput.Close();
        copy.Wait();
        p.WaitForExit();
        Assert.AreEqual(0, p.ExitCode, $"{name} {string.Join(' ', args)}: {errors.Result}");
        return output.ToArray();
    }
}
