namespace MlPipelines.Trainers.Training;

/// <summary>Which optimizer updates the weights.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with (Nesterov) momentum; weight decay as L2 on weights.</summary>
    Sgd,

    /// <summary>Adam (Kingma and Ba 2015); weight decay as L2 added to the gradient.</summary>
    Adam,

    /// <summary>AdamW (Loshchilov and Hutter 2019); decoupled weight decay.</summary>
    AdamW,
}

/// <summary>How the learning rate moves over the run (stepped once per batch).</summary>
public enum LearningRateScheduleKind
{
    /// <summary>
    /// One-cycle (Smith 2018): warm up over the first <see cref="TrainingOptions.OneCyclePctStart"/> of the steps from
    /// peak / <see cref="TrainingOptions.OneCycleDivFactor"/> to the peak, anneal by cosine to peak / (div x final div);
    /// momentum cycles inversely.
    /// </summary>
    OneCycle,

    /// <summary>Linear warm-up over <see cref="TrainingOptions.WarmupEpochs"/>, then cosine decay to zero.</summary>
    Cosine,

    /// <summary>Multiply by <see cref="TrainingOptions.StepGamma"/> every <see cref="TrainingOptions.StepEpochs"/> epochs.</summary>
    Step,

    /// <summary>The peak learning rate throughout.</summary>
    Constant,
}

/// <summary>The quantity early stopping and best-weight restoring watch.</summary>
public enum MonitoredMetric
{
    /// <summary>Validation log-loss (lower is better).</summary>
    ValidationLoss,

    /// <summary>Validation accuracy (higher is better).</summary>
    ValidationAccuracy,

    /// <summary>Training loss (lower is better); for runs without a validation set.</summary>
    TrainLoss,

    /// <summary>Training accuracy (higher is better).</summary>
    TrainAccuracy,
}

/// <summary>Early stopping (Keras' EarlyStopping): stop when the monitored metric has not improved for <see cref="Patience"/> epochs.</summary>
public sealed record EarlyStoppingOptions
{
    /// <summary>What to watch.</summary>
    public MonitoredMetric Metric { get; init; } = MonitoredMetric.ValidationLoss;

    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta { get; init; }

    /// <summary>At the end of the run, put back the weights of the best epoch.</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Whether larger values of <see cref="Metric"/> are better.</summary>
    public bool HigherIsBetter => Metric is MonitoredMetric.ValidationAccuracy or MonitoredMetric.TrainAccuracy;
}

/// <summary>Settings of a supervised training run (defaults work for small images out of the box).</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Examples per step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>SGD momentum (Adam's beta1 is 0.9 regardless).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Nesterov momentum for SGD.</summary>
    public bool Nesterov { get; init; } = true;

    /// <summary>Weight decay on weights (not on biases or normalisation parameters).</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>The learning-rate schedule.</summary>
    public LearningRateScheduleKind Schedule { get; init; } = LearningRateScheduleKind.OneCycle;

    /// <summary>One-cycle: the fraction of the steps spent warming up (PyTorch's pct_start; its default is 0.3).</summary>
    public double OneCyclePctStart { get; init; } = 0.25;

    /// <summary>One-cycle: the warm-up starts at the peak learning rate divided by this (PyTorch's div_factor).</summary>
    public double OneCycleDivFactor { get; init; } = 25;

    /// <summary>One-cycle: the run ends at the starting rate divided by this (PyTorch's final_div_factor).</summary>
    public double OneCycleFinalDivFactor { get; init; } = 1e4;

    /// <summary>Warm-up epochs of the cosine schedule.</summary>
    public int WarmupEpochs { get; init; }

    /// <summary>Epochs between decays of the step schedule.</summary>
    public int StepEpochs { get; init; } = 30;

    /// <summary>Decay factor of the step schedule.</summary>
    public double StepGamma { get; init; } = 0.1;

    /// <summary>Label smoothing of the cross-entropy.</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Clip the global gradient norm to this value; null for no clipping.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Mirror images left-right at random while training.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Pad by this many pixels (<see cref="CropPaddingFill"/>) and crop back at a random offset while training (0 = off).</summary>
    public int CropPadding { get; init; }

    /// <summary>
    /// The value the padded border takes, in the units of the training features: one value, or one per channel; null pads
    /// with 0. Features normalised as (pixel / 255 - mean) / std show a black border at -mean / std per channel, as
    /// torchvision's RandomCrop(padding) before Normalize does; the image-classification trainer and the mlp tool set that
    /// when they know the normalisation, and 0 (the mean) is what is left otherwise.
    /// </summary>
    public float[]? CropPaddingFill { get; init; }

    /// <summary>MixUp (Zhang et al. 2018) on each batch with lambda ~ Beta(alpha, alpha); 0 turns it off (0.2 is usual).</summary>
    public double MixUpAlpha { get; init; }

    /// <summary>CutMix (Yun et al. 2019) on each batch with lambda ~ Beta(alpha, alpha); 0 turns it off (1.0 is usual). With MixUp too, each mixed batch picks one at even odds.</summary>
    public double CutMixAlpha { get; init; }

    /// <summary>The share of batches that are mixed when MixUp or CutMix is on.</summary>
    public double MixProbability { get; init; } = 1.0;

    /// <summary>Early stopping; null trains all epochs.</summary>
    public EarlyStoppingOptions? EarlyStopping { get; init; }

    /// <summary>Where checkpoints go (checkpoint.mlpc, replaced atomically); null writes none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Also checkpoint every this many steps inside an epoch (0: only at the end of each epoch and on cancellation).</summary>
    public int CheckpointEverySteps { get; init; }

    /// <summary>Resume from this checkpoint file or checkpoint directory; the run must have the same settings and data size.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Keras-style callbacks, called in order.</summary>
    public IReadOnlyList<TrainingCallback> Callbacks { get; init; } = [];

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
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Momentum must lie in [0, 1).");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Weight decay must be non-negative.");
        if (WarmupEpochs < 0 || WarmupEpochs >= Epochs && Schedule == LearningRateScheduleKind.Cosine && WarmupEpochs > 0)
            throw new ArgumentOutOfRangeException(nameof(WarmupEpochs), WarmupEpochs, "Warm-up epochs must be non-negative and fewer than the epochs.");
        if (!(OneCyclePctStart > 0 && OneCyclePctStart < 1)) throw new ArgumentOutOfRangeException(nameof(OneCyclePctStart), OneCyclePctStart, "The one-cycle warm-up fraction must lie in (0, 1).");
        if (!(OneCycleDivFactor >= 1) || double.IsInfinity(OneCycleDivFactor)) throw new ArgumentOutOfRangeException(nameof(OneCycleDivFactor), OneCycleDivFactor, "The one-cycle div factor must be at least 1.");
        if (!(OneCycleFinalDivFactor >= 1) || double.IsInfinity(OneCycleFinalDivFactor)) throw new ArgumentOutOfRangeException(nameof(OneCycleFinalDivFactor), OneCycleFinalDivFactor, "The one-cycle final div factor must be at least 1.");
        if (StepEpochs < 1) throw new ArgumentOutOfRangeException(nameof(StepEpochs), StepEpochs, "Step epochs must be at least 1.");
        if (!(StepGamma > 0 && StepGamma <= 1)) throw new ArgumentOutOfRangeException(nameof(StepGamma), StepGamma, "The step gamma must lie in (0, 1].");
        if (LabelSmoothing is < 0 or >= 1 || float.IsNaN(LabelSmoothing)) throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), LabelSmoothing, "Label smoothing must lie in [0, 1).");
        if (GradientClipNorm is double clip && !(clip > 0)) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), clip, "The gradient clip norm must be positive.");
        if (CropPadding < 0) throw new ArgumentOutOfRangeException(nameof(CropPadding), CropPadding, "Crop padding must be non-negative.");
        if (CropPaddingFill is { } fill && (fill.Length == 0 || fill.Any(v => !float.IsFinite(v))))
            throw new ArgumentException("CropPaddingFill needs one or more finite values.", nameof(CropPaddingFill));
        if (!(MixUpAlpha >= 0) || double.IsInfinity(MixUpAlpha)) throw new ArgumentOutOfRangeException(nameof(MixUpAlpha), MixUpAlpha, "MixUp alpha must be non-negative.");
        if (!(CutMixAlpha >= 0) || double.IsInfinity(CutMixAlpha)) throw new ArgumentOutOfRangeException(nameof(CutMixAlpha), CutMixAlpha, "CutMix alpha must be non-negative.");
        if (!(MixProbability >= 0 && MixProbability <= 1)) throw new ArgumentOutOfRangeException(nameof(MixProbability), MixProbability, "The mix probability must lie in [0, 1].");
        if (EarlyStopping is { Patience: < 1 }) throw new ArgumentOutOfRangeException(nameof(EarlyStopping), EarlyStopping.Patience, "Early-stopping patience must be at least 1.");
        if (EarlyStopping is { MinDelta: var d } && !(d >= 0)) throw new ArgumentOutOfRangeException(nameof(EarlyStopping), d, "Early-stopping min delta must be non-negative.");
        if (CheckpointEverySteps < 0) throw new ArgumentOutOfRangeException(nameof(CheckpointEverySteps), CheckpointEverySteps, "Checkpoint interval must be non-negative.");
        if (CheckpointEverySteps > 0 && CheckpointDirectory is null) throw new ArgumentException("CheckpointEverySteps needs a CheckpointDirectory.", nameof(CheckpointEverySteps));
        if (DegreeOfParallelism < 1) throw new ArgumentOutOfRangeException(nameof(DegreeOfParallelism), DegreeOfParallelism, "Degree of parallelism must be at least 1.");
        ArgumentNullException.ThrowIfNull(Callbacks, nameof(Callbacks));
    }
}
