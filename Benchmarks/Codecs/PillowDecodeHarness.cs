using System.Diagnostics;
using System.Globalization;
using MlPipelines.Benchmarks.Harness;
using MlPipelines.DataPrep.Codecs;

namespace MlPipelines.Benchmarks.Codecs;

/// <summary>
/// Decode throughput of one format on one thread against Pillow in the same run: the anchor script (`make DIR N`)
/// writes N photo-like 500x375 RGB files, both sides decode the same files from memory, and the two sides alternate
/// twice, keeping each side's best round (the machine is shared and noisy). Besides wall-clock images/s it reports
/// process CPU time per image, which other load on the machine inflates much less. Arguments: `[images=48] [seconds=3]`.
/// </summary>
internal abstract class PillowDecodeHarness : IHarness
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>The anchor script in Benchmarks/anchors (commands `make DIR N` and `time DIR SECONDS`).</summary>
    protected abstract string Script { get; }

    /// <summary>File extension the anchor writes, e.g. ".png".</summary>
    protected abstract string Extension { get; }

    /// <summary>Extra arguments of the anchor's `make` command (after DIR and N).</summary>
    protected virtual string[] MakeOptions => [];

    /// <summary>The ratio to Pillow open+load the issue asks for.</summary>
    protected abstract double Goal { get; }

    public int Run(string[] args)
    {
        int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 48;
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3.0;
        string folder = Path.Combine(Path.GetTempPath(), $"mlp-{Name}-bench-{Environment.ProcessId}");
        try
        {
            Console.Write(Anchor.RunPython(Script, ["make", folder, count.ToString(CultureInfo.InvariantCulture), .. MakeOptions]));
            byte[][] files = Directory.GetFiles(folder, "*" + Extension).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
            foreach (byte[] f in files)
            {
                var img = ImageCodecs.Decode(f);
                if (img.Width != 500 || img.Height != 375 || img.Channels != 3) throw new InvalidOperationException($"unexpected {img}");
            }

            double ours = 0, pilLoad = 0, pilArray = 0;
            double oursCpu = double.MaxValue, pilLoadCpu = double.MaxValue, pilArrayCpu = double.MaxValue;
            for (int round = 0; round < 2; round++)
            {
                var (perSecond, cpu) = Measure(files, seconds);
                ours = Math.Max(ours, perSecond);
                oursCpu = Math.Min(oursCpu, cpu);
                string anchor = Anchor.RunPython(Script, "time", folder, seconds.ToString(CultureInfo.InvariantCulture));
                pilLoad = Math.Max(pilLoad, Read(anchor, "pil_load_img_per_s"));
                pilArray = Math.Max(pilArray, Read(anchor, "pil_array_img_per_s"));
                pilLoadCpu = Math.Min(pilLoadCpu, Read(anchor, "pil_load_cpu_ms"));
                pilArrayCpu = Math.Min(pilArrayCpu, Read(anchor, "pil_array_cpu_ms"));
            }

            Console.WriteLine($"{"decoder",-44} {"img/s",9} {"ms/img",8} {"ratio",7} {"cpu ms",8} {"cpu ratio",9}");
            Print("MlPipelines ImageCodecs.Decode (HWC RGB)", ours, pilLoad, oursCpu, pilLoadCpu);
            Print("Pillow open + load", pilLoad, pilLoad, pilLoadCpu, pilLoadCpu);
            Print("Pillow open + np.asarray (HWC RGB)", pilArray, pilLoad, pilArrayCpu, pilLoadCpu);
            Console.WriteLine($"ratio vs Pillow open+load: {ours / pilLoad:F2}x wall, {pilLoadCpu / oursCpu:F2}x CPU (goal >= {Goal:F1}x); " +
                $"vs np.asarray: {ours / pilArray:F2}x wall, {pilArrayCpu / oursCpu:F2}x CPU");
            return 0;
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    // Images per wall-clock second, and process CPU milliseconds per image (GC threads included, as Python's
    // process_time includes every thread of the anchor).
    private static (double PerSecond, double CpuMs) Measure(byte[][] files, double seconds)
    {
        using var process = Process.GetCurrentProcess();
        TimeSpan cpu0 = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        long n = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            foreach (byte[] f in files) ImageCodecs.Decode(f);
            n += files.Length;
        }

        double wall = watch.Elapsed.TotalSeconds;
        process.Refresh();
        return (n / wall, (process.TotalProcessorTime - cpu0).TotalMilliseconds / n);
    }

    private static double Read(string output, string key)
    {
        foreach (string line in output.Split('\n'))
            if (line.StartsWith(key + " ", StringComparison.Ordinal))
                return double.Parse(line[(key.Length + 1)..], CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"anchor output lacks {key}:\n{output}");
    }

    private static void Print(string label, double perSecond, double anchor, double cpuMs, double anchorCpuMs) =>
        Console.WriteLine($"{label,-44} {perSecond,9:F1} {1000 / perSecond,8:F3} {perSecond / anchor,6:F2}x {cpuMs,8:F3} {anchorCpuMs / cpuMs,8:F2}x");
}
