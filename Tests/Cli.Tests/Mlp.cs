using System.Diagnostics;
using System.IO.Compression;

namespace MlPipelines.Cli.Tests;

/// <summary>Runs the mlp tool as a separate process, and writes tiny IDX datasets for it.</summary>
internal static class Mlp
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "mlp.dll");

    public static ProcessStartInfo StartInfo(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Dll);
        foreach (string a in args) info.ArgumentList.Add(a);
        return info;
    }

    public static (int ExitCode, string Out, string Err) Run(string workingDirectory, params string[] args)
    {
        using var process = Process.Start(StartInfo(workingDirectory, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(true);
            Assert.Fail($"mlp {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Writes PREFIX-{train,test}-{images-idx3,labels-idx1}-ubyte.gz: 16x16 images of one of <paramref name="classes"/> bar
    /// patterns (class c: a bright bar at rows 2c..2c+2, or columns for odd classes) with seeded noise.
    /// </summary>
    public static void WriteBars(string folder, string prefix, int trainCount, int testCount, int classes = 3, int seed = 1)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(seed);
        foreach (var (split, count) in new[] { ("train", trainCount), ("test", testCount) })
        {
            var pixels = new byte[count * 256];
            var labels = new byte[count];
            for (int i = 0; i < count; i++)
            {
                int c = i % classes;
                labels[i] = (byte)c;
                for (int p = 0; p < 256; p++)
                {
                    int r = p / 16, col = p % 16, at = c % 2 == 0 ? r : col;
                    bool bar = at >= 2 + 3 * (c / 2) && at < 5 + 3 * (c / 2);
                    pixels[i * 256 + p] = (byte)Math.Clamp((bar ? 200 : 30) + rng.Next(-30, 31), 0, 255);
                }
            }
            WriteIdx(Path.Combine(folder, $"{prefix}-{split}-images-idx3-ubyte.gz"), 0x08, [count, 16, 16], pixels);
            WriteIdx(Path.Combine(folder, $"{prefix}-{split}-labels-idx1-ubyte.gz"), 0x08, [count], labels);
        }
    }

    /// <summary>The same bar patterns as PNG files in a folder per class ("class0", "class1", ...), RGB.</summary>
    public static void WriteBarFolders(string root, int perClass, int classes = 3, int seed = 1)
    {
        var rng = new Random(seed);
        for (int c = 0; c < classes; c++)
        {
            string dir = Path.Combine(root, $"class{c}");
            Directory.CreateDirectory(dir);
            for (int i = 0; i < perClass; i++)
            {
                var image = new DataPrep.Imaging.Image(20, 20, 3);
                for (int p = 0; p < 400; p++)
                {
                    int r = p / 20, col = p % 20, at = c % 2 == 0 ? r : col;
                    bool bar = at >= 3 + 4 * (c / 2) && at < 7 + 4 * (c / 2);
                    for (int ch = 0; ch < 3; ch++) image.Pixels[p * 3 + ch] = (byte)Math.Clamp((bar ? 200 : 30) + rng.Next(-30, 31), 0, 255);
                }
                File.WriteAllBytes(Path.Combine(dir, $"{i:D3}.png"), DataPrep.Codecs.ImageCodecs.EncodePng(image));
            }
        }
    }

    private static void WriteIdx(string path, byte type, int[] dims, byte[] data)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write([0, 0, type, (byte)dims.Length]);
        foreach (int d in dims) gz.Write([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        gz.Write(data);
    }

    public static string TempFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlp-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
