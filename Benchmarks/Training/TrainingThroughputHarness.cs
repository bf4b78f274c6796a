using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MlPipelines.Benchmarks.Harness;
using MlPipelines.Engine;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Models;
using MlPipelines.Engine.Models.Zoo;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Optim;

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

    internal static Module Build(string name) => name switch
    {
        "lenet5" => ReferenceModels.LeNet5(),
        "vgg_small" => ReferenceModels.SmallVgg(),
        "resnet20" => ReferenceModels.ResNetCifar(20),
        "resnet18_224" => ModelZoo.Create("resnet18", 3, 1000, 224),
        _ => throw new ArgumentException($"Unknown model '{name}' (lenet5, vgg_small, resnet20, resnet18_224)."),
    };

    /// <summary>Input shape, classes, batch sizes and step counts of a model (the same as train_torch.py's).</summary>
    private sealed record Protocol(int Channels, int Size, int Classes, int TrainBatch, int InferBatch, int Warmup, int MinSteps, int DataBatches)
    {
        public int ImageLength => Channels * Size * Size;
    }

    private static Protocol ProtocolOf(string name) => name == "resnet18_224"
        ? new Protocol(3, 224, 1000, TrainBatch: 32, InferBatch: 32, Warmup: 2, MinSteps: 3, DataBatches: 2)
        : new Protocol(1, 28, 10, TrainBatch: 128, InferBatch: 256, Warmup: 15, MinSteps: 20, DataBatches: 16);

    private static (double ImagesPerSecond, long BytesPerBatch) MeasureTraining(string name, int threads, double seconds)
    {
        Protocol p = ProtocolOf(name);
        int batch = p.TrainBatch, n = p.DataBatches, length = p.ImageLength;
        Module model = Build(name);
        var ctx = new StepContext(new ComputeConfig { DegreeOfParallelism = threads, Seed = 1 });
        var opt = new Sgd(model.Parameters(), new SgdOptions { LearningRate = 0.01, Momentum = 0.9 });
        var loss = new CrossEntropyLoss();
        var rng = new SeededRandom(2);
        var data = new Tensor(n * batch, p.Channels, p.Size, p.Size);
        for (int i = 0; i < data.Length; i++) data.Span[i] = rng.NextNormal();
        int[] labels = Enumerable.Range(0, n * batch).Select(_ => rng.NextInt(p.Classes)).ToArray();
        var x = new Tensor(batch, p.Channels, p.Size, p.Size);
        void Step(int i)
        {
            int j = i % n;
            data.Span.Slice(j * batch * length, batch * length).CopyTo(x.Span);
            ctx.BeginStep();
            // As in PyTorch, where the batch does not require a gradient, the first layer skips its input gradient.
            ctx.NoGradientInput = x;
            opt.ZeroGrad();
            Tensor logits = model.Forward(x, ctx);
            loss.Forward(logits, labels.AsSpan(j * batch, batch), ctx);
            model.Backward(loss.Gradient!, ctx);
            opt.Step();
        }
        for (int i = 0; i < p.Warmup; i++) Step(i);
        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        int steps = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds || steps < p.MinSteps) Step(p.Warmup + steps++);
        double elapsed = sw.Elapsed.TotalSeconds;
        long alloc = (GC.GetTotalAllocatedBytes(precise: true) - allocBefore) / steps;
        return (steps * batch / elapsed, alloc);
    }

    private static double MeasureInference(string name, int threads, double seconds)
    {
        Protocol p = ProtocolOf(name);
        int batch = p.InferBatch;
        Module model = Build(name).Eval();
        var ctx = new StepContext(new ComputeConfig { DegreeOfParallelism = threads }) { RecordForBackward = false };
        var x = new Tensor(batch, p.Channels, p.Size, p.Size);
        var rng = new SeededRandom(3);
        for (int i = 0; i < x.Length; i++) x.Span[i] = rng.NextNormal();
        for (int i = 0; i < Math.Min(5, p.Warmup); i++)
        {
            ctx.BeginStep();
            model.Forward(x, ctx);
        }
        int steps = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds || steps < p.MinSteps)
        {
            ctx.BeginStep();
            model.Forward(x, ctx);
            steps++;
        }
        return steps * batch / sw.Elapsed.TotalSeconds;
    }
}
