using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MlPipelines.Benchmarks.Harness;

namespace MlPipelines.Benchmarks.Training;

/// <summary>
/// Training (batch 128, SGD momentum 0.9, cross-entropy) and inference (batch 256, eval mode) images/s of LeNet-5, the
/// small VGG and ResNet-20 on 1x28x28 inputs, ours against PyTorch 1.13 in the same run, at 1 and 2 threads; plus the
/// bytes our training loop allocates per batch in steady state. "resnet18_224" (ModelZoo resnet18 = torchvision's
/// ResNet-18, 3x224x224, 1000 classes) trains and infers at batch 32 with 2 warm-up and at least 3 timed batches (a
/// step takes seconds); it is not in the default list.
/// Args: [seconds per measurement, default 8] [models, default lenet5,vgg_small,resnet20] [threads, default 1,2].
/// </summary>
internal sealed class TrainingThroughputHarness : IHarness
{
    public string Name => "train";

    public string Description => "training / inference images/s vs PyTorch (LeNet-5, small VGG, ResNet-20)";

    public int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 8;
        string[] models = (args.Length > 1 ? args[1] : "lenet5,vgg_small,resnet20").Split(',');
        int[] threadCounts = (args.Length > 2 ? args[2] : "1,2").Split(',').Select(int.Parse).ToArray();
        Console.WriteLine($"{"model",-10} {"thr",3} {"ours train",11} {"torch train",12} {"ratio",6} {"ours infer",11} {"torch infer",12} {"ratio",6} {"alloc B/batch",14}");
        foreach (int threads in threadCounts)
        {
            var env = new Dictionary<string, string>
            {
                ["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture),
                ["OPENBLAS_NUM_THREADS"] = "1",
            };
            string output = Anchor.RunPython("train_torch.py", env, threads.ToString(CultureInfo.InvariantCulture), string.Join(",", models),
                seconds.ToString(CultureInfo.InvariantCulture));
            var anchor = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                .ToDictionary(e => e.GetProperty("model").GetString()!);
            var torch = anchor.ToDictionary(a => a.Key, a => (Train: a.Value.GetProperty("train_ips").GetDouble(), Infer: a.Value.GetProperty("infer_ips").GetDouble()));
            foreach (string name in models)
            {
                var (train, alloc) = MeasureTraining(name, threads, seconds);
                double infer = MeasureInference(name, threads, seconds / 2);
                var t = torch[name];
                Console.WriteLine($"{name,-10} {threads,3} {Rate(train),11} {Rate(t.Train),12} {train / t.Train,6:F2} {Rate(infer),11} {Rate(t.Infer),12} {infer / t.Infer,6:F2} {alloc,14:N0}");
            }
            // The anchor's thread setting: what torch.get_num_threads() said and how many cores its training kept busy.
            foreach (var (model, e) in anchor.Where(a => a.Value.TryGetProperty("torch_threads", out _)))
                Console.WriteLine($"  torch {model}: get_num_threads() = {e.GetProperty("torch_threads").GetInt32()}, training CPU/wall = " +
                    $"{e.GetProperty("train_cpu_per_wall").GetDouble():F2}, busy threads = {e.GetProperty("train_busy_threads").GetInt32()}");
        }
        return 0;
    }

    /// <summary>Images/s with a decimal below 100 (ResNet-18 at 224 runs at a few images/s).</summary>
    private static string Rate(double imagesPerSecond) => imagesPerSecond.ToString(imagesPerSecond < 100 ? "F1" : "F0", CultureInfo.InvariantCulture);

    private static (double ImagesPerSecond, long BytesPerBatch) MeasureTraining(string name, int threads, double seconds)
    {
        var loop = new StepLoop(name, threads, train: true);
        for (int i = 0; i < loop.Protocol.Warmup; i++) loop.Step();
        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        int steps = 0;
        var sw = Stopwatch.StartNew();
        for (; sw.Elapsed.TotalSeconds < seconds || steps < loop.Protocol.MinSteps; steps++) loop.Step();
        double elapsed = sw.Elapsed.TotalSeconds;
        long alloc = (GC.GetTotalAllocatedBytes(precise: true) - allocBefore) / steps;
        return (steps * loop.Batch / elapsed, alloc);
    }

    private static double MeasureInference(string name, int threads, double seconds)
    {
        var loop = new StepLoop(name, threads, train: false);
        for (int i = 0; i < Math.Min(5, loop.Protocol.Warmup); i++) loop.Step();
        int steps = 0;
        var sw = Stopwatch.StartNew();
        for (; sw.Elapsed.TotalSeconds < seconds || steps < loop.Protocol.MinSteps; steps++) loop.Step();
        return steps * loop.Batch / sw.Elapsed.TotalSeconds;
    }
}
