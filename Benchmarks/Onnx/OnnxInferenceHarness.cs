using System.Globalization;
using System.Text.Json;
using MlPipelines.Benchmarks.Harness;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Models.Zoo;
using MlPipelines.Engine.Nn;
using MlPipelines.Trainers.ImageClassification;
using MlPipelines.Trainers.Onnx;

namespace MlPipelines.Benchmarks.Onnx;

/// <summary>
/// Inference speed of our engine against ONNX Runtime (onnxruntime-node, CPU EP, intraOpNumThreads = threads, interOp 1,
/// sequential, graph optimisation "all") on the same .onnx file in one run:
/// <list type="bullet">
/// <item>"small" (issue 7): our ResNet-20 (architecture "resnet20", 1x28x28, 10 classes) exported by our OnnxExporter, and
/// torchvision's ResNet-18 at 3x64x64 exported by anchors/export_torchvision_onnx.py and imported by our OnnxImporter; batch-1
/// latency and batch-256 images/s at each thread count.</item>
/// <item>"zoo" (issue 8): ModelZoo resnet18, resnet50, mobilenet-v2, efficientnet-b0 (3x224x224, 1000 classes) exported by
/// our OnnxExporter; batch-32 images/s at the largest thread count.</item>
/// <item>"imported" (issue 7): torchvision's mobilenet_v2 and efficientnet_b0 (3x224x224, 1000 classes) exported by PyTorch
/// (anchors/export_torchvision_onnx.py) and imported by our OnnxImporter; batch-32 images/s at the largest thread count.</item>
/// </list>
/// Each model's outputs for two random images are compared with ONNX Runtime's before timing. The thread check, both
/// sides: CPU time over wall time of each timed window, the threads that did a real share of its work ("busy": at least a
/// fifth of the busiest one's CPU time), and the OS threads ONNX Runtime's session added.
/// Args: [seconds per timed window, default 3] [threads, default 1,2] [parts, default small,zoo; also imported].
/// </summary>
internal sealed class OnnxInferenceHarness : IHarness
{
    private const int SmallBatch = 256;
    private const int ZooBatch = 32;
    private static readonly string[] ZooModels = ["resnet18", "resnet50", "mobilenet-v2", "efficientnet-b0"];
    private static readonly string[] ImportedModels = ["mobilenet_v2", "efficientnet_b0"];

    public string Name => "onnx";

    public string Description => "inference latency / images/s vs ONNX Runtime on the same .onnx (ResNet-20, torchvision ResNet-18, zoo at 224)";

    public int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        int[] threadCounts = (args.Length > 1 ? args[1] : "1,2").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        string[] parts = (args.Length > 2 ? args[2] : "small,zoo").Split(',');
        string folder = Path.Combine(Path.GetTempPath(), $"mlp-onnx-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            Console.WriteLine($"load average at start: {LoadAverage()}");
            if (parts.Contains("small")) RunSmall(folder, seconds, threadCounts);
            if (parts.Contains("zoo")) RunZoo(folder, seconds, threadCounts.Max());
            if (parts.Contains("imported")) RunImported(folder, seconds, threadCounts.Max());
            Console.WriteLine($"load average at end: {LoadAverage()}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    private static void RunSmall(string folder, double seconds, int[] threadCounts)
    {
        var models = new List<(string Name, Module Model, (int C, int H, int W) Image, string Path)>();
        (int C, int H, int W) mnist = (1, 28, 28);
        Module resnet20 = ImageClassificationArchitectures.Create("resnet20", new ArchitectureInput(1, 28, 28, 10, Seed: 1)).Eval();
        string resnet20Path = Path.Combine(folder, "resnet20.onnx");
        OnnxExporter.Export(resnet20, new OnnxExportOptions { InputShape = mnist }, resnet20Path);
        models.Add(("ResNet-20 (ours, exported)", resnet20, mnist, resnet20Path));

        string torchPath = Path.Combine(folder, "torchvision_resnet18_64.onnx");
        string exported = Anchor.RunPython("export_torchvision_onnx.py", torchPath, "64");
        Console.WriteLine($"torchvision export: {JsonDocument.Parse(exported.Trim().Split('\n')[^1]).RootElement.GetProperty("ops")}");
        models.Add(("torchvision ResNet-18 64px (imported)", OnnxImporter.Load(torchPath), (3, 64, 64), torchPath));

        var rows = new List<string>();
        foreach (var (name, model, image, path) in models)
            foreach (int threads in threadCounts)
            {
                var (ort, error) = RunOrtWithCheck(model, image, path, threads, seconds, [1, SmallBatch]);
                InferenceTiming ours1 = EngineInference.Measure(model, image, 1, threads, seconds);
                InferenceTiming oursN = EngineInference.Measure(model, image, SmallBatch, threads, seconds);
                InferenceTiming ort1 = ort.Timings.Single(t => t.Batch == 1), ortN = ort.Timings.Single(t => t.Batch == SmallBatch);
                string row = $"| {name} | {threads} | {ours1.MedianMs:F3} | {ort1.MedianMs:F3} | **{ours1.MedianMs / ort1.MedianMs:F2}** | " +
                    $"{oursN.ImagesPerSecond:N0} | {ortN.ImagesPerSecond:N0} | **{oursN.ImagesPerSecond / ortN.ImagesPerSecond:F2}** | " +
                    $"{PerCpuSecondRatio(oursN, ortN):F2} | {ours1.CpuPerWall:F2} / {oursN.CpuPerWall:F2} | {ort1.CpuPerWall:F2} / {ortN.CpuPerWall:F2} | {oursN.BusyThreads} / {ortN.BusyThreads} | +{ort.ExtraOsThreads} | {error:E1} |";
                Console.WriteLine(row);
                rows.Add(row);
            }
        Console.WriteLine();
        Console.WriteLine($"Issue 7: batch-1 latency (median ms) and batch-{SmallBatch} images/s, ours vs ONNX Runtime on the same file (goals: latency ratio <= 1.5, images/s ratio >= 1.0).");
        Console.WriteLine();
        Console.WriteLine($"| model | thr | ours b1 ms | ORT b1 ms | latency ours/ORT | ours b{SmallBatch} img/s | ORT b{SmallBatch} img/s | img/s ours/ORT | img per CPU-s ours/ORT b{SmallBatch} | CPU/wall ours b1 / b{SmallBatch} | CPU/wall ORT b1 / b{SmallBatch} | busy threads ours / ORT b{SmallBatch} | ORT OS threads | max rel. diff |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (string row in rows) Console.WriteLine(row);
        Console.WriteLine();
    }

    private static void RunZoo(string folder, double seconds, int threads)
    {
        (int C, int H, int W) image = (3, 224, 224);
        var rows = new List<string>();
        foreach (string name in ZooModels)
        {
            Module model = ModelZoo.Create(name, 3, 1000, 224, seed: 1).Eval();
            string path = Path.Combine(folder, name + ".onnx");
            OnnxExporter.Export(model, new OnnxExportOptions { InputShape = image }, path);
            rows.Add(Batch32Row(name, model, path, threads, seconds));
        }
        PrintBatch32Table($"Issue 8: 3x224x224 inference images/s at batch {ZooBatch}, ours vs ONNX Runtime on the same file exported by our OnnxExporter (goal >= 0.8).", rows);
    }

    /// <summary>torchvision's own MobileNetV2 and EfficientNet-B0 exported by PyTorch, imported by our OnnxImporter: the graph path.</summary>
    private static void RunImported(string folder, double seconds, int threads)
    {
        var rows = new List<string>();
        foreach (string name in ImportedModels)
        {
            string path = Path.Combine(folder, "torchvision_" + name + "_224.onnx");
            string exported = Anchor.RunPython("export_torchvision_onnx.py", path, "224", name);
            Console.WriteLine($"torchvision {name} export: {JsonDocument.Parse(exported.Trim().Split('\n')[^1]).RootElement.GetProperty("ops")}");
            OnnxGraphModule graph = OnnxImporter.Load(path);
            rows.Add(Batch32Row($"torchvision {name} (imported, {graph.FusedNodes} nodes fused)", graph, path, threads, seconds));
        }
        PrintBatch32Table($"Issue 7: torchvision models exported by PyTorch and imported by our OnnxImporter, 3x224x224 images/s at batch {ZooBatch}, ours vs ONNX Runtime on the same file.", rows);
    }

    private static string Batch32Row(string name, Module model, string path, int threads, double seconds)
    {
        (int C, int H, int W) image = (3, 224, 224);
        var (ort, error) = RunOrtWithCheck(model, image, path, threads, seconds, [ZooBatch]);
        InferenceTiming ours = EngineInference.Measure(model, image, ZooBatch, threads, seconds);
        InferenceTiming theirs = ort.Timings.Single();
        string row = $"| {name} | {threads} | {ZooBatch} | {ours.ImagesPerSecond:F1} ({ours.Runs} batches) | {theirs.ImagesPerSecond:F1} ({theirs.Runs} batches) | " +
            $"**{ours.ImagesPerSecond / theirs.ImagesPerSecond:F2}** | {PerCpuSecondRatio(ours, theirs):F2} | {ours.CpuPerWall:F2} | {theirs.CpuPerWall:F2} | {ours.BusyThreads} / {theirs.BusyThreads} | +{ort.ExtraOsThreads} | {error:E1} |";
        Console.WriteLine(row);
        File.Delete(path);
        return row;
    }

    private static void PrintBatch32Table(string title, List<string> rows)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine();
        Console.WriteLine("| model | thr | batch | ours img/s | ORT img/s | ours/ORT | img per CPU-s ours/ORT | CPU/wall ours | CPU/wall ORT | busy threads ours / ORT | ORT OS threads | max rel. diff |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (string row in rows) Console.WriteLine(row);
        Console.WriteLine();
    }

    /// <summary>
    /// Runs ONNX Runtime on <paramref name="path"/> (timings plus outputs for two seeded random images) and returns the
    /// largest difference from our outputs relative to the largest ORT output magnitude: a model that computes something
    /// else is not a speed comparison.
    /// </summary>
    private static (OrtRunner.Result Ort, double RelativeError) RunOrtWithCheck(Module model, (int C, int H, int W) image, string path,
        int threads, double seconds, int[] batches)
    {
        const int checkBatch = 2;
        var rng = new SeededRandom(7);
        var input = new float[checkBatch * image.C * image.H * image.W];
        foreach (ref float v in input.AsSpan()) v = rng.NextFloat(-1, 1);
        OrtRunner.Result ort = OrtRunner.Run(path, image, threads, seconds, batches, input, checkBatch);
        float[] ours = EngineInference.Outputs(model, input, checkBatch, image, threads);
        float[] theirs = ort.CheckOutputs!;
        if (theirs.Length != ours.Length)
            throw new InvalidOperationException($"{Path.GetFileName(path)}: ONNX Runtime gave {theirs.Length} outputs, our engine {ours.Length}.");
        double scale = theirs.Max(MathF.Abs), worst = 0;
        for (int i = 0; i < ours.Length; i++) worst = Math.Max(worst, Math.Abs(ours[i] - theirs[i]));
        double relative = worst / Math.Max(scale, 1e-30);
        if (relative > 1e-3)
            throw new InvalidOperationException($"{Path.GetFileName(path)}: our outputs differ from ONNX Runtime's by {relative:E2} of their largest magnitude.");
        return (ort, relative);
    }

    /// <summary>
    /// Images per second of process CPU time, ours over ORT's: what other load on the machine distorts least (wall-clock
    /// figures drop with the share of the cores a process gets); with several threads it also counts spinning workers.
    /// </summary>
    private static double PerCpuSecondRatio(InferenceTiming ours, InferenceTiming theirs) =>
        ours.ImagesPerSecond / ours.CpuPerWall / (theirs.ImagesPerSecond / theirs.CpuPerWall);

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
