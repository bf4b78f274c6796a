using System.Diagnostics;
using System.Globalization;
using MlPipelines.Benchmarks.Harness;
using MlPipelines.DataPrep.Codecs;

namespace MlPipelines.Benchmarks.Codecs;

/// <summary>
/// Decode throughput of one format on one thread against Pillow in the same run: the anchor script (`make DIR N`)
/// writes N photo-like 500x375 RGB files, both sides decode the same files from memory, and the two sides alternate
/// twice, keeping each side's best round (the machine is shared and noisy). Arguments: `[images=48] [seconds=3]`.
/// </summary>
internal abstract class PillowDecodeHarness : IHarness
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>The anchor script in Benchmarks/anchors (commands `make DIR N` and `time DIR SECONDS`).</summary>
    protected abstract string Script { get; }

    /// <summary>File extension the anchor writes, e.g. ".png".</summary>
    protected abstract string Extension { get; }

    /// <summary>The ratio to Pillow open+load the issue asks for.</summary>
    protected abstract double Goal { get; }

    public int Run(string[] args)
    {
        int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 48;
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3.0;
        string folder = Path.Combine(Path.GetTempPath(), $"mlp-{Name}-bench-{Environment.ProcessId}");
        try
        {
            Console.Write(Anchor.RunPython(Script, "make", folder, count.ToString(CultureInfo.InvariantCulture)));
            byte[][] files = Directory.GetFiles(folder, "*" + Extension).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
            foreach (byte[] f in files)
            {
                var img = ImageCodecs.Decode(f);
                if (img.Width != 500 || img.Height != 375 || img.Channels != 3) throw new InvalidOperationException($"unexpected {img}");
            }

            double ours = 0, pilLoad = 0, pilArray = 0;
            for (int round = 0; round < 2; round++)
            {
                ours = Math.Max(ours, Measure(files, seconds));
                string anchor = Anchor.RunPython(Script, "time", folder, seconds.ToString(CultureInfo.InvariantCulture));
                pilLoad = Math.Max(pilLoad, Read(anchor, "pil_load_img_per_s"));
                pilArray = Math.Max(pilArray, Read(anchor, "pil_array_img_per_s"));
            }

            Console.WriteLine($"{"decoder",-44} {"img/s",9} {"ms/img",8} {"ratio",7}");
            Print("MlPipelines ImageCodecs.Decode (HWC RGB)", ours, pilLoad);
            Print("Pillow open + load", pilLoad, pilLoad);
            Print("Pillow open + np.asarray (HWC RGB)", pilArray, pilLoad);
            Console.WriteLine($"ratio vs Pillow open+load: {ours / pilLoad:F2}x (goal >= {Goal:F1}x); vs np.asarray: {ours / pilArray:F2}x");
            return 0;
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private static double Measure(byte[][] files, double seconds)
    {
        var watch = Stopwatch.StartNew();
        long n = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            foreach (byte[] f in files) ImageCodecs.Decode(f);
            n += files.Length;
        }

        return n / watch.Elapsed.TotalSeconds;
    }

    private static double Read(string output, string key)
    {
        foreach (string line in output.Split('\n'))
            if (line.StartsWith(key + " ", StringComparison.Ordinal))
                return double.Parse(line[(key.Length + 1)..], CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"anchor output lacks {key}:\n{output}");
    }

    private static void Print(string label, double perSecond, double anchor) =>
        Console.WriteLine($"{label,-44} {perSecond,9:F1} {1000 / perSecond,8:F3} {perSecond / anchor,6:F2}x");
}
