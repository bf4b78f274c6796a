using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using MlPipelines.Benchmarks.Harness;

namespace MlPipelines.Benchmarks.Onnx;

/// <summary>
/// Runs anchors/ort_infer.js (onnxruntime-node from the repository's .tools/ort, as the ONNX export tests do) on one
/// .onnx file and reads back its timings, its thread counts and, optionally, its outputs for a check batch.
/// </summary>
internal static class OrtRunner
{
    /// <summary>What one ONNX Runtime session reported.</summary>
    /// <param name="Version">libonnxruntime's version.</param>
    /// <param name="ExtraOsThreads">OS threads the process gained by creating and first running the session.</param>
    /// <param name="Timings">One timed window per batch size asked for.</param>
    /// <param name="CheckOutputs">The outputs for the check input, when one was given.</param>
    public sealed record Result(string Version, int ExtraOsThreads, IReadOnlyList<InferenceTiming> Timings, float[]? CheckOutputs);

    /// <summary>The node_modules folder holding onnxruntime-node.</summary>
    public static string NodeModules
    {
        get
        {
            string? root = typeof(OrtRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
            string folder = Path.GetFullPath(Path.Combine(root ?? Path.Combine(Anchor.ScriptsFolder, "..", ".."), ".tools", "ort", "node_modules"));
            if (!Directory.Exists(Path.Combine(folder, "onnxruntime-node")))
                throw new DirectoryNotFoundException(
                    $"onnxruntime-node is not installed in {folder}; install it with `npm install --ignore-scripts --prefix .tools/ort onnxruntime-node` (test.sh does).");
            return folder;
        }
    }

    /// <summary>
    /// Times <paramref name="modelPath"/> at each of <paramref name="batches"/> with intraOpNumThreads =
    /// <paramref name="threads"/>; when <paramref name="checkInput"/> is given (<paramref name="checkBatch"/> images) also
    /// returns ONNX Runtime's outputs for it.
    /// </summary>
    public static Result Run(string modelPath, (int C, int H, int W) image, int threads, double seconds, int[] batches,
        float[]? checkInput = null, int checkBatch = 0)
    {
        var psi = new ProcessStartInfo("node");
        psi.ArgumentList.Add(Path.Combine(Anchor.ScriptsFolder, "ort_infer.js"));
        psi.ArgumentList.Add(modelPath);
        psi.ArgumentList.Add($"{image.C},{image.H},{image.W}");
        psi.ArgumentList.Add(threads.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(seconds.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(string.Join(',', batches));
        string? checkIn = null, checkOut = null;
        if (checkInput is not null)
        {
            checkIn = modelPath + ".check-in.bin";
            checkOut = modelPath + ".check-out.bin";
            File.WriteAllBytes(checkIn, MemoryMarshal.AsBytes(checkInput.AsSpan()).ToArray());
            psi.ArgumentList.Add(checkIn);
            psi.ArgumentList.Add(checkBatch.ToString(CultureInfo.InvariantCulture));
            psi.ArgumentList.Add(checkOut);
        }
        psi.Environment["NODE_PATH"] = NodeModules;
        try
        {
            string output = Anchor.Run(psi, "ort_infer.js " + Path.GetFileName(modelPath));
            string version = "?";
            int extraThreads = -1;
            var timings = new List<InferenceTiming>();
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                JsonElement e = JsonDocument.Parse(line).RootElement;
                if (e.GetProperty("kind").GetString() == "session")
                {
                    version = e.GetProperty("versions").GetProperty("common").GetString() ?? "?";
                    extraThreads = e.GetProperty("os_threads_after").GetInt32() - e.GetProperty("os_threads_before").GetInt32();
                }
                else
                {
                    timings.Add(new InferenceTiming(e.GetProperty("batch").GetInt32(), e.GetProperty("runs").GetInt32(), e.GetProperty("median_ms").GetDouble(),
                        e.GetProperty("images_per_s").GetDouble(), e.GetProperty("cpu_per_wall").GetDouble(), e.GetProperty("busy_threads").GetInt32()));
                }
            }
            float[]? outputs = checkOut is null ? null : MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(checkOut)).ToArray();
            return new Result(version, extraThreads, timings, outputs);
        }
        finally
        {
            if (checkIn is not null) File.Delete(checkIn);
            if (checkOut is not null) File.Delete(checkOut);
        }
    }
}
