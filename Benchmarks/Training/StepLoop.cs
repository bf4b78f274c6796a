using MlPipelines.Engine;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Models;
using MlPipelines.Engine.Models.Zoo;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Optim;

namespace MlPipelines.Benchmarks.Training;

/// <summary>
/// One model's training or inference loop on seeded synthetic data, as the throughput harness (against PyTorch) and the
/// engine A/B harness (one build against another) time it. Uses the engine's public API only, so a copy of this assembly
/// loaded beside another build of the engine runs that build.
/// </summary>
public sealed class StepLoop
{
    private readonly Module _model;
    private readonly StepContext _context;
    private readonly Sgd? _optimizer;
    private readonly CrossEntropyLoss _loss = new();
    private readonly Tensor _data;
    private readonly int[] _labels;
    private readonly Tensor _x;
    private Tensor? _output;
    private int _step;

    /// <summary>
    /// Builds <paramref name="name"/> (lenet5, vgg_small, resnet20, or a zoo name + "_224" or another "_SIZE") for training
    /// or inference; a suffix "@B" sets the inference batch (resnet18_64@1: batch-1 latency at 64x64).
    /// </summary>
    public StepLoop(string name, int threads, bool train)
    {
        Protocol = ProtocolOf(name);
        Batch = train ? Protocol.TrainBatch : Protocol.InferBatch;
        _model = Build(name);
        _context = new StepContext(new ComputeConfig { DegreeOfParallelism = threads, Seed = 1 }) { RecordForBackward = train };
        if (train) _optimizer = new Sgd(_model.Parameters(), new SgdOptions { LearningRate = 0.01, Momentum = 0.9 });
        else _model.Eval();
        var rng = new SeededRandom(2);
        int batches = train ? Protocol.DataBatches : 1;
        _data = new Tensor(batches * Batch, Protocol.Channels, Protocol.Size, Protocol.Size);
        for (int i = 0; i < _data.Length; i++) _data.Span[i] = rng.NextNormal();
        _labels = [.. Enumerable.Range(0, batches * Batch).Select(_ => rng.NextInt(Protocol.Classes))];
        _x = new Tensor(Batch, Protocol.Channels, Protocol.Size, Protocol.Size);
        if (!train) _data.Span.CopyTo(_x.Span);
    }

    /// <summary>Input shape, classes, batch sizes and step counts of a model (the same as train_torch.py's).</summary>
    internal sealed record ModelProtocol(int Channels, int Size, int Classes, int TrainBatch, int InferBatch, int Warmup, int MinSteps, int DataBatches)
    {
        public int ImageLength => Channels * Size * Size;
    }

    internal ModelProtocol Protocol { get; }

    /// <summary>Images a step processes.</summary>
    public int Batch { get; }

    internal static Module Build(string name) => Parse(name) switch
    {
        ("lenet5", 0, _) => ReferenceModels.LeNet5(),
        ("vgg_small", 0, _) => ReferenceModels.SmallVgg(),
        ("resnet20", 0, _) => ReferenceModels.ResNetCifar(20),
        // Any zoo architecture at any size: resnet18_224, mobilenet-v2_224, resnet18_64, ...
        (string arch, int size and > 0, _) => ModelZoo.Create(arch, 3, 1000, size),
        _ => throw new ArgumentException($"Unknown model '{name}' (lenet5, vgg_small, resnet20, or a zoo name + _SIZE such as resnet18_224, each with an optional @BATCH)."),
    };

    /// <summary>"resnet18_64@1" -> (resnet18, 64, 1); size 0 for the 28x28 models, batch 0 when not given.</summary>
    private static (string Arch, int Size, int Batch) Parse(string name)
    {
        int at = name.IndexOf('@');
        int batch = at < 0 ? 0 : int.Parse(name[(at + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        string model = at < 0 ? name : name[..at];
        int underscore = model.LastIndexOf('_');
        return underscore > 0 && int.TryParse(model[(underscore + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int size)
            ? (model[..underscore], size, batch)
            : (model, 0, batch);
    }

    internal static ModelProtocol ProtocolOf(string name)
    {
        var (_, size, batch) = Parse(name);
        var protocol = size > 0
            ? new ModelProtocol(3, size, 1000, TrainBatch: 32, InferBatch: 32, Warmup: 2, MinSteps: 3, DataBatches: 2)
            : new ModelProtocol(1, 28, 10, TrainBatch: 128, InferBatch: 256, Warmup: 15, MinSteps: 20, DataBatches: 16);
        return batch > 0 ? protocol with { InferBatch = batch } : protocol;
    }

    /// <summary>One step: forward, backward and an SGD update on the next synthetic batch, or one forward pass.</summary>
    public void Step()
    {
        _context.BeginStep();
        if (_optimizer is null)
        {
            _output = _model.Forward(_x, _context);
            return;
        }
        int length = Batch * Protocol.ImageLength, j = _step++ % Protocol.DataBatches;
        _data.Span.Slice(j * length, length).CopyTo(_x.Span);
        // As in PyTorch, where the batch does not require a gradient, the first layer skips its input gradient.
        _context.NoGradientInput = _x;
        _optimizer.ZeroGrad();
        Tensor logits = _model.Forward(_x, _context);
        _loss.Forward(logits, _labels.AsSpan(j * Batch, Batch), _context);
        _model.Backward(_loss.Gradient!, _context);
        _optimizer.Step();
    }

    /// <summary>The sum of the parameters (training) or of the last output (inference): equal sums say two builds agree.</summary>
    public double Checksum()
    {
        double sum = 0;
        if (_optimizer is null)
        {
            if (_output is not null)
                foreach (float v in _output.Span) sum += v;
            return sum;
        }
        foreach (var p in _model.Parameters())
            foreach (float v in p.Value.Span) sum += v;
        return sum;
    }

    /// <summary>
    /// For the A/B harness, which calls into a copy of this assembly through reflection: a timer that runs n steps and
    /// returns milliseconds per step, and the checksum. Both are delegates of framework types, so they cross load contexts.
    /// </summary>
    public static (Func<int, double> Time, Func<double> Checksum) Create(string name, int threads, bool train)
    {
        var loop = new StepLoop(name, threads, train);
        return (steps =>
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int i = 0; i < steps; i++) loop.Step();
            return System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds / steps;
        }, loop.Checksum);
    }
}
