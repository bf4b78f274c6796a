using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MlPipelines.Benchmarks.Harness;
using MlPipelines.Data;

namespace MlPipelines.Benchmarks.Pipelines;

/// <summary>
/// Iterates a cached 60,000 x 784 float view (Fashion-MNIST sized) in batches of 128 on one core with the batch cursor,
/// in order and shuffled, copying each batch into a caller-owned [128, 784] buffer plus the labels; compares with a plain
/// memcpy of the same batches (the bandwidth ceiling) and PyTorch slicing / index_select (when python3-torch is installed).
/// Goal: at least 5 GB/s in order.
/// </summary>
internal sealed class BatchCursorHarness : IHarness
{
    private const int Rows = 60_000;
    private const int Width = 784;
    private const int Batch = 128;
    private const double GoalGBps = 5.0;

    public string Name => "batchcursor";

    public string Description => "cached 60000x784 float view in batches of 128, GB/s (goal >= 5), vs memcpy and torch";

    public int Run(string[] args)
    {
        int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var ctx = new MLContext(new MLContextOptions { Seed = 1, DegreeOfParallelism = 1 });
        var flat = new float[Rows * Width];
        for (int i = 0; i < flat.Length; i++) flat[i] = i * 0.001f;
        var labels = Enumerable.Range(0, Rows).Select(i => (uint)(i % 10 + 1)).ToArray();
        var source = new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 28, 28), flat)
            .AddKeyColumn("Label", labels, Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray())
            .ToDataView();
        var cached = ctx.Data.Cache(source);

        var fill = Stopwatch.StartNew();
        using (var first = cached.GetBatchCursor(Batch, "Features", "Label")) first.MoveNext();
        Console.WriteLine($"cache fill (60000 rows, 188 MB, row by row from the source): {fill.Elapsed.TotalMilliseconds:F0} ms");

        var torch = RunTorch(epochs);
        Console.WriteLine($"{"mode",-11} {"batch cursor GB/s",18} {"memcpy GB/s",12} {"ratio",6} {"torch GB/s",11} {"ratio",6}");
        double sequential = 0;
        foreach (bool shuffled in new[] { false, true })
        {
            double ours = Best(epochs, () => CursorEpoch(cached, shuffled ? new Random(7) : null));
            double copy = Best(epochs, () => MemcpyEpoch(flat, shuffled ? new Random(7) : null));
            string mode = shuffled ? "shuffled" : "sequential";
            string t = torch.TryGetValue(mode, out double anchor) ? $"{anchor,11:F2} {ours / anchor,6:F2}" : $"{"n/a",11} {"",6}";
            Console.WriteLine($"{mode,-11} {ours,18:F2} {copy,12:F2} {ours / copy,6:F2} {t}");
            if (!shuffled) sequential = ours;
        }
        Console.WriteLine($"goal: sequential >= {GoalGBps} GB/s on one core: {(sequential >= GoalGBps ? "met" : "NOT met")} ({sequential:F2} GB/s)");
        return 0;
    }

    /// <summary>Best throughput (feature bytes delivered per second) over <paramref name="epochs"/> timed epochs after a warm-up.</summary>
    private static double Best(int epochs, Func<float> epoch)
    {
        float sink = epoch();
        double best = 0;
        for (int e = 0; e < epochs; e++)
        {
            var sw = Stopwatch.StartNew();
            sink += epoch();
            best = Math.Max(best, (double)Rows * Width * sizeof(float) / sw.Elapsed.TotalSeconds / 1e9);
        }
        GC.KeepAlive(sink);
        return best;
    }

    private static float CursorEpoch(IDataView data, Random? rand)
    {
        var features = data.Schema["Features"];
        var label = data.Schema["Label"];
        var buffer = new float[Batch * Width];
        var keys = new int[Batch];
        float sink = 0;
        using var cursor = data.GetBatchCursor([features, label], Batch, rand);
        while (cursor.MoveNext())
        {
            cursor.CopyFloats(features, buffer);
            cursor.CopyKeys(label, keys);
            sink += buffer[(cursor.Count - 1) * Width] + keys[0];
        }
        return sink;
    }

    /// <summary>The ceiling: the same batches copied with Span.CopyTo straight from the flat array.</summary>
    private static float MemcpyEpoch(float[] flat, Random? rand)
    {
        var buffer = new float[Batch * Width];
        int[]? order = null;
        if (rand is not null)
        {
            order = Enumerable.Range(0, Rows).ToArray();
            rand.Shuffle(order);
        }
        float sink = 0;
        for (int start = 0; start < Rows; start += Batch)
        {
            int n = Math.Min(Batch, Rows - start);
            if (order is null) flat.AsSpan(start * Width, n * Width).CopyTo(buffer);
            else
                for (int i = 0; i < n; i++) flat.AsSpan(order[start + i] * Width, Width).CopyTo(buffer.AsSpan(i * Width));
            sink += buffer[(n - 1) * Width];
        }
        return sink;
    }

    /// <summary>This file's path at build time (the anchor script lies beside it).</summary>
    private static string SourceFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    private static Dictionary<string, double> RunTorch(int epochs)
    {
        try
        {
            string script = Path.Combine(Path.GetDirectoryName(SourceFile())!, "batchcursor_torch.py");
            if (!File.Exists(script)) script = Path.Combine(Anchor.ScriptsFolder, "..", "Pipelines", "batchcursor_torch.py");
            var psi = new ProcessStartInfo("/usr/bin/python3");
            foreach (string a in new[] { script, Rows.ToString(CultureInfo.InvariantCulture), Width.ToString(CultureInfo.InvariantCulture),
                Batch.ToString(CultureInfo.InvariantCulture), epochs.ToString(CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(a);
            psi.Environment["OMP_NUM_THREADS"] = "1";
            return Anchor.Run(psi, "batchcursor_torch.py").Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement)
                .ToDictionary(e => e.GetProperty("mode").GetString()!, e => e.GetProperty("gbps").GetDouble());
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or DirectoryNotFoundException)
        {
            Console.WriteLine($"torch anchor unavailable: {e.Message.Split('\n')[0]}");
            return [];
        }
    }
}
