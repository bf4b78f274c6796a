using System.Text.Json;
using System.Text.Json.Serialization;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Cli;

/// <summary>
/// Everything `mlp train` needs, as a JSON job file (`mlp train --config job.json`); the resolved job is written back into
/// the output folder so that a run can be repeated exactly.
/// </summary>
internal sealed record TrainJob
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string? Data { get; init; }

    public string? Manifest { get; init; }

    public string? TestData { get; init; }

    public double TestFraction { get; init; } = 0.2;

    public int Size { get; init; } = 32;

    public bool Grayscale { get; init; }

    public bool SkipBadFiles { get; init; }

    public string Prefix { get; init; } = "fashion-sample";

    public string Arch { get; init; } = "lenet5";

    public int Epochs { get; init; } = 15;

    public int BatchSize { get; init; } = 64;

    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    public double LearningRate { get; init; } = 0.05;

    public LearningRateScheduleKind Schedule { get; init; } = LearningRateScheduleKind.OneCycle;

    /// <summary>One-cycle warm-up fraction (null: the trainer's default).</summary>
    public double? PctStart { get; init; }

    /// <summary>One-cycle starting divisor of the peak rate (null: the trainer's default).</summary>
    public double? DivFactor { get; init; }

    /// <summary>One-cycle final divisor of the starting rate (null: the trainer's default).</summary>
    public double? FinalDivFactor { get; init; }

    public bool Flip { get; init; } = true;

    public int CropPadding { get; init; }

    public double MixUp { get; init; }

    public double CutMix { get; init; }

    public double ValidationFraction { get; init; }

    public int Patience { get; init; }

    /// <summary>Score the test set after every epoch (reported as validation): per-epoch test accuracy for benchmarks.</summary>
    public bool MonitorTest { get; init; }

    public ulong Seed { get; init; } = 42;

    /// <summary>0: all cores.</summary>
    public int Threads { get; init; }

    /// <summary>Checkpoint every this many steps too (0: per epoch and on Ctrl+C).</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>A trained model file to start from (transfer learning).</summary>
    public string? From { get; init; }

    public MlPipelines.Trainers.ImageClassification.TransferMode Transfer { get; init; } = MlPipelines.Trainers.ImageClassification.TransferMode.FineTune;

    /// <summary>With <see cref="From"/>: the layer the new head reads (null: before the classifier).</summary>
    public string? Cut { get; init; }

    /// <summary>With <see cref="From"/>: "linear" or "mlp:HIDDEN[:DROPOUT]" (null: linear).</summary>
    public string? Head { get; init; }

    public string Output { get; init; } = Path.Combine("runs", "latest");

    public static TrainJob Load(string path)
    {
        if (!File.Exists(path)) throw new UserException($"Job file not found: {path}");
        try
        {
            return JsonSerializer.Deserialize<TrainJob>(File.ReadAllText(path), Json) ?? throw new UserException($"Job file {path} is empty.");
        }
        catch (JsonException ex)
        {
            throw new UserException($"Job file {path} is invalid: {ex.Message}");
        }
    }

    public void Save(string path)
    {
        IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));
    }
}
