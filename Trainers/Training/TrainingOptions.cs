namespace MlPipelines.Trainers.Training;

/// <summary>Settings of a supervised training run (defaults work for small images out of the box).</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Examples per step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Peak learning rate (one-cycle schedule, SGD with Nesterov momentum 0.9).</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>L2 weight decay on weights (not on biases or normalisation parameters).</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Label smoothing of the cross-entropy.</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Clip the global gradient norm to this value; null for no clipping.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Mirror images left-right at random while training.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Pad by this many pixels and crop back at a random offset while training (0 = off).</summary>
    public int CropPadding { get; init; }

    /// <summary>Seed of initialisation order, shuffling, augmentation and dropout.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Threads for kernels.</summary>
    public int DegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks the values; throws naming the bad one.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Batch size must be at least 1.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive.");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Weight decay must be non-negative.");
        if (LabelSmoothing is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), LabelSmoothing, "Label smoothing must lie in [0, 1).");
        if (CropPadding < 0) throw new ArgumentOutOfRangeException(nameof(CropPadding), CropPadding, "Crop padding must be non-negative.");
        if (DegreeOfParallelism < 1) throw new ArgumentOutOfRangeException(nameof(DegreeOfParallelism), DegreeOfParallelism, "Degree of parallelism must be at least 1.");
    }
}
