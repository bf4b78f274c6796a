using System.Diagnostics;
using System.Globalization;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MlPipelines.Engine;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Engine.Optim;

namespace MlPipelines.Trainers.Training;

/// <summary>
/// The training loop under the image-classification trainer: shuffled mini-batches, optional flip and padded-crop
/// augmentation, SGD/Adam/AdamW under a per-batch learning-rate schedule, cross-entropy with label smoothing or soft targets,
/// gradient clipping, divergence detection, validation, early stopping, checkpoints and resume, Keras-style callbacks,
/// progress reports and cancellation. A model with auxiliary classifiers (<see cref="IAuxiliaryClassifier"/>) trains on the
/// main loss plus their weighted losses, and the reported training loss is that sum. Every random choice derives from the
/// seed and the (epoch, example) position, so a run reproduces bit for bit at a given degree of parallelism, and a run
/// resumed from a checkpoint ends with the same weights as one that was never interrupted.
/// </summary>
public sealed class SupervisedTrainer
{
    private readonly Module _model;
    private readonly TrainingOptions _options;
    private readonly IReadOnlyList<(IReadOnlyList<Parameter> Parameters, double LearningRateFactor)>? _groups;

    /// <summary>
    /// Creates the trainer for <paramref name="model"/> (whose output is [N, classes] logits). With
    /// <paramref name="parameterGroups"/>, each group trains at the learning rate times its factor (discriminative learning
    /// rates; the first group's rate is the one reported); parameters in no group are not trained. Frozen parameters
    /// (RequiresGrad false) are never updated, and batch norms whose parameters are all frozen keep their running statistics.
    /// </summary>
    public SupervisedTrainer(Module model, TrainingOptions options, IReadOnlyList<(IReadOnlyList<Parameter> Parameters, double LearningRateFactor)>? parameterGroups = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        if (parameterGroups is not null && (parameterGroups.Count == 0 || parameterGroups.Any(g => g.Parameters is null || !(g.LearningRateFactor > 0))))
            throw new ArgumentException("Parameter groups need parameters and positive learning-rate factors.", nameof(parameterGroups));
        _groups = parameterGroups;
    }

    /// <summary>Whether the last Fit ended before its last epoch (early stopping or a callback).</summary>
    public bool StoppedEarly { get; private set; }

    /// <summary>The epoch whose weights the model holds after early stopping restored the best ones (0 otherwise).</summary>
    public int RestoredEpoch { get; private set; }

    /// <summary>
    /// Trains; returns one record per epoch (all epochs of the run, those before a resume included). Throws
    /// <see cref="TrainingDivergedException"/> on a NaN/infinite loss and <see cref="OperationCanceledException"/> on
    /// cancellation (after writing a checkpoint when a checkpoint directory is set).
    /// </summary>
    public IReadOnlyList<EpochMetrics> Fit(ImageBatchSet train, ImageBatchSet? validation = null, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Fit(_ => train, validation, progress, cancellationToken);
    }

    /// <summary>
    /// Trains on data that may change from epoch to epoch (augmented upstream): <paramref name="trainForEpoch"/>(e) gives
    /// epoch e's examples (1-based e), always the same number and shape, and the same for the same e (a resumed run asks
    /// again). See <see cref="Fit(ImageBatchSet, ImageBatchSet?, IProgress{TrainingProgress}?, CancellationToken)"/>.
    /// </summary>
    public IReadOnlyList<EpochMetrics> Fit(Func<int, ImageBatchSet> trainForEpoch, ImageBatchSet? validation = null, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainForEpoch);
        var train = trainForEpoch(1) ?? throw new InvalidOperationException("The training data of epoch 1 is null.");
        var o = _options;
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        CheckFill(o, train.Channels);
        if (validation is not null && (validation.ImageSize != train.ImageSize || validation.Classes != train.Classes))
            throw new ArgumentException("The validation set's image shape or class count differs from the training set's.", nameof(validation));
        if (o.EarlyStopping?.Metric is MonitoredMetric.ValidationLoss or MonitoredMetric.ValidationAccuracy && (validation is null || validation.Count == 0))
            throw new ArgumentException($"Early stopping on {o.EarlyStopping.Metric} needs a validation set.", nameof(validation));

        var ctx = new StepContext(new ComputeConfig { DegreeOfParallelism = o.DegreeOfParallelism, Seed = o.Seed });
        int batch = Math.Min(o.BatchSize, train.Count);
        int steps = (train.Count + batch - 1) / batch;
        var optimizer = CreateOptimizer();
        var schedule = CreateSchedule(optimizer, steps);
        var loss = new CrossEntropyLoss(o.LabelSmoothing);
        IAuxiliaryClassifier[] auxiliary = IAuxiliaryClassifier.Find(_model);
        var fingerprint = Fingerprint(train, validation, batch);
        var run = new RunPosition();
        string? checkpointPath = o.CheckpointDirectory is null ? null : Path.Combine(o.CheckpointDirectory, TrainingCheckpoint.FileName);
        string? lastCheckpoint = null;
        if (o.ResumeFrom is not null)
        {
            lastCheckpoint = TrainingCheckpoint.Resolve(o.ResumeFrom);
            run = Restore(TrainingCheckpoint.Load(lastCheckpoint), fingerprint, optimizer, schedule, ctx, lastCheckpoint);
        }

        var state = new TrainingState(_model, o.Epochs, steps);
        var clock = Stopwatch.StartNew();
        TimeSpan Elapsed() => clock.Elapsed + TimeSpan.FromSeconds(run.ElapsedOffset);
        void Checkpoint()
        {
            if (checkpointPath is null) return;
            if (!AllFinite(_model)) throw new TrainingDivergedException(run.Epoch, run.Step, double.NaN, lastCheckpoint);
            Capture(run, fingerprint, optimizer, schedule, ctx, Elapsed()).Save(checkpointPath);
            lastCheckpoint = checkpointPath;
        }

        _model.Train();
        KeepFrozenBatchNormsInEvaluation(_model);
        foreach (var cb in o.Callbacks) cb.OnTrainBegin(state);
        var order = new int[train.Count];
        var y = new int[batch];
        int classes = train.Classes;
        float[]? soft = train.SoftTargets is null ? null : new float[batch * classes];
        bool mixing = o.MixUpAlpha > 0 || o.CutMixAlpha > 0;
        float[]? mixed = mixing ? new float[batch * classes] : null;
        while (run.Epoch <= o.Epochs && !run.Stopped)
        {
            int epoch = run.Epoch;
            state.Epoch = epoch;
            if (epoch > 1 || run.Step > 0)
            {
                var next = trainForEpoch(epoch);
                if (next is null || next.Count != train.Count || next.ImageSize != train.ImageSize || next.Classes != train.Classes || (next.SoftTargets is null) != (soft is null))
                    throw new InvalidOperationException($"The training data of epoch {epoch} differs in size or shape from epoch 1's.");
                train = next;
            }
            EpochOrder(epoch, order);
            if (run.Step == 0)
            {
                (run.LossSum, run.Correct, run.Seen) = (0, 0, 0);
                foreach (var cb in o.Callbacks) cb.OnEpochBegin(state);
            }
            var epochClock = Stopwatch.StartNew();
            long seenAtStart = run.Seen;
            for (int step = run.Step; step < steps && !state.StopTraining; step++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    Checkpoint();
                    cancellationToken.ThrowIfCancellationRequested();
                }
                int start = step * batch, n = Math.Min(batch, train.Count - start);
                ctx.BeginStep();
                Tensor x = ctx.Rent(n, train.Channels, train.Height, train.Width);
                FillBatch(o, train, order.AsSpan(start, n), x.Span, y, soft, epoch);
                ctx.NoGradientInput = x;
                float[]? targets = soft;
                if (mixing && Mix(x, y.AsSpan(0, n), soft, mixed!, classes, epoch, step)) targets = mixed;
                optimizer.ZeroGrad();
                Tensor logits = _model.Forward(x, ctx);
                double l = Loss(loss, logits, targets, y, n, classes, ctx);
                Tensor dLogits = loss.Gradient!;
                // Auxiliary classifiers (GoogLeNet's) add their weighted losses and take their gradients before the backward pass.
                if (auxiliary.Length > 0) l = AddAuxiliaryLosses(auxiliary, l, loss, targets, y, n, classes, ctx);
                if (!double.IsFinite(l)) throw new TrainingDivergedException(epoch, step + 1, l, lastCheckpoint);
                _model.Backward(dLogits, ctx);
                if (o.GradientClipNorm is double clip && !double.IsFinite(GradientClipping.ClipNorm(_model.Parameters(), clip)))
                    throw new TrainingDivergedException(epoch, step + 1, double.NaN, lastCheckpoint);
                double lr = optimizer.Groups[0].LearningRate;
                optimizer.Step();
                schedule.Step();
                run.LossSum += l * n;
                run.Correct += CountCorrect(logits.Span, y.AsSpan(0, n), classes);
                run.Seen += n;
                run.Step = step + 1;
                (state.Step, state.BatchLoss, state.LearningRate) = (step + 1, l, lr);
                progress?.Report(new TrainingProgress
                {
                    Epoch = epoch, Epochs = o.Epochs, Step = step + 1, StepsPerEpoch = steps, Loss = l, LearningRate = lr,
                    ImagesPerSecond = (run.Seen - seenAtStart) / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9), Elapsed = Elapsed(),
                });
                foreach (var cb in o.Callbacks) cb.OnBatchEnd(state);
                if (o.CheckpointEverySteps > 0 && run.Step % o.CheckpointEverySteps == 0 && run.Step < steps) Checkpoint();
            }

            var (vLoss, vAcc) = validation is null || validation.Count == 0 ? ((double?)null, (double?)null) : Evaluate(validation);
            var metrics = new EpochMetrics(epoch, run.LossSum / Math.Max(run.Seen, 1), (double)run.Correct / Math.Max(run.Seen, 1), vLoss, vAcc,
                state.LearningRate, Elapsed());
            run.History.Add(metrics);
            bool earlyStop = UpdateEarlyStopping(run, metrics);
            run.Epoch = epoch + 1;
            run.Step = 0;
            foreach (var cb in o.Callbacks) cb.OnEpochEnd(state, metrics);
            run.Stopped = earlyStop || state.StopTraining;
            progress?.Report(new TrainingProgress
            {
                Epoch = epoch, Epochs = o.Epochs, Step = steps, StepsPerEpoch = steps, Loss = metrics.TrainLoss, LearningRate = metrics.LearningRate,
                ImagesPerSecond = (run.Seen - seenAtStart) / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9), Elapsed = Elapsed(), IsEpochEnd = true, Metrics = metrics,
            });
            Checkpoint();
        }

        StoppedEarly = run.Stopped && run.History.Count < o.Epochs;
        RestoredEpoch = 0;
        if (o.EarlyStopping is { RestoreBestWeights: true } && run.BestWeights is not null && run.BestEpoch != run.History.Count)
        {
            CopyInto(_model, run.BestWeights, "the best epoch's weights");
            RestoredEpoch = run.BestEpoch;
        }
        foreach (var cb in o.Callbacks) cb.OnTrainEnd(state, run.History);
        return run.History;
    }

    /// <summary>The batch's loss against its class indices, or against its soft targets when there are any.</summary>
    private static double Loss(CrossEntropyLoss loss, Tensor logits, float[]? targets, int[] labels, int n, int classes, StepContext ctx) =>
        targets is null ? loss.Forward(logits, labels.AsSpan(0, n), ctx) : loss.Forward(logits, targets.AsSpan(0, n * classes), ctx);

    /// <summary>
    /// The main loss plus the auxiliary heads' weighted losses (their gradients set). A method of its own so the closure it
    /// needs is made only for models that have such heads, not on every step of every model.
    /// </summary>
    private static double AddAuxiliaryLosses(IAuxiliaryClassifier[] heads, double mainLoss, CrossEntropyLoss loss, float[]? targets, int[] labels, int n,
        int classes, StepContext ctx) =>
        IAuxiliaryClassifier.AddAuxiliaryLosses(heads, ctx, mainLoss, t => (Loss(loss, t, targets, labels, n, classes, ctx), loss.Gradient!));

    /// <summary>Softmax probabilities [N, classes] of the model in evaluation mode.</summary>
    public float[] PredictProbabilities(ImageBatchSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var ctx = new StepContext(new ComputeConfig { DegreeOfParallelism = _options.DegreeOfParallelism }) { RecordForBackward = false };
        bool wasTraining = _model.IsTraining;
        _model.Eval();
        try
        {
            var result = new float[data.Count * data.Classes];
            const int batch = 256;
            for (int start = 0; start < data.Count; start += batch)
            {
                int n = Math.Min(batch, data.Count - start);
                ctx.BeginStep();
                Tensor x = ctx.Rent(n, data.Channels, data.Height, data.Width);
                data.Images.AsSpan(start * data.ImageSize, n * data.ImageSize).CopyTo(x.Span);
                Tensor logits = _model.Forward(x, ctx);
                if (logits.Length != n * data.Classes)
                    throw new InvalidOperationException($"The model returns {logits.ShapeText} for {n} images; [{n}, {data.Classes}] logits were expected.");
                for (int i = 0; i < n; i++)
                    SoftmaxRow(logits.Span.Slice(i * data.Classes, data.Classes), result.AsSpan((start + i) * data.Classes, data.Classes));
            }
            return result;
        }
        finally
        {
            _model.Train(wasTraining);
            if (wasTraining) KeepFrozenBatchNormsInEvaluation(_model);
        }
    }

    /// <summary>Numerically stable softmax of one row of logits.</summary>
    internal static void SoftmaxRow(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        float max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, probabilities);
        TensorPrimitives.Exp(probabilities, probabilities);
        TensorPrimitives.Divide(probabilities, TensorPrimitives.Sum(probabilities), probabilities);
    }

    private Optimizer CreateOptimizer()
    {
        var o = _options;
        var groups = (_groups ?? [(_model.Parameters().ToList(), 1.0)])
            .Select(g => new ParameterGroup(g.Parameters, o.LearningRate * g.LearningRateFactor, o.WeightDecay)).ToList();
        return o.Optimizer switch
        {
            OptimizerKind.Sgd => new Sgd(groups, new SgdOptions { LearningRate = o.LearningRate, Momentum = o.Momentum, Nesterov = o.Nesterov && o.Momentum > 0, WeightDecay = o.WeightDecay }),
            OptimizerKind.Adam => new Adam(groups, new AdamOptions { LearningRate = o.LearningRate, WeightDecay = o.WeightDecay }),
            OptimizerKind.AdamW => new AdamW(groups, new AdamOptions { LearningRate = o.LearningRate, WeightDecay = o.WeightDecay }),
            _ => throw new ArgumentOutOfRangeException(nameof(o.Optimizer), o.Optimizer, "Unknown optimizer."),
        };
    }

    /// <summary>A frozen batch norm (all its parameters frozen) normalises with its running statistics and does not update them.</summary>
    private static void KeepFrozenBatchNormsInEvaluation(Module model)
    {
        foreach (var (_, m) in model.NamedModules())
            if (m is BatchNorm2d bn && bn.Parameters().Any() && bn.Parameters().All(p => !p.RequiresGrad)) bn.Eval();
    }

    private LearningRateSchedule CreateSchedule(Optimizer optimizer, int steps)
    {
        var o = _options;
        long total = Math.Max(2, (long)steps * o.Epochs);
        return o.Schedule switch
        {
            // As PyTorch's OneCycleLR: SGD momentum cycles between 0.85 and 0.95; Adam keeps its betas.
            LearningRateScheduleKind.OneCycle => new OneCycleSchedule(optimizer, total, o.OneCyclePctStart, o.OneCycleDivFactor, o.OneCycleFinalDivFactor,
                cycleMomentum: o.Optimizer == OptimizerKind.Sgd && o.Momentum > 0),
            LearningRateScheduleKind.Cosine => new CosineSchedule(optimizer, total, (long)steps * o.WarmupEpochs),
            LearningRateScheduleKind.Step => new StepSchedule(optimizer, checked(steps * o.StepEpochs), o.StepGamma),
            LearningRateScheduleKind.Constant => new StepSchedule(optimizer, int.MaxValue, 1.0),
            _ => throw new ArgumentOutOfRangeException(nameof(o.Schedule), o.Schedule, "Unknown schedule."),
        };
    }

    /// <summary>Epoch e visits the examples in a permutation drawn from (seed, e) alone, so a resumed run sees the same order.</summary>
    private void EpochOrder(int epoch, int[] order)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        new SeededRandom(_options.Seed).Fork((ulong)epoch).Shuffle(order.AsSpan());
    }

    private bool UpdateEarlyStopping(RunPosition run, EpochMetrics m)
    {
        if (_options.EarlyStopping is not { } es) return false;
        double? value = es.Metric switch
        {
            MonitoredMetric.ValidationLoss => m.ValidationLoss,
            MonitoredMetric.ValidationAccuracy => m.ValidationAccuracy,
            MonitoredMetric.TrainLoss => m.TrainLoss,
            _ => m.TrainAccuracy,
        };
        if (value is not double v) return false;
        bool improved = run.BestValue is not double best || (es.HigherIsBetter ? v > best + es.MinDelta : v < best - es.MinDelta);
        if (improved)
        {
            (run.BestValue, run.BestEpoch, run.EpochsWithoutImprovement) = (v, m.Epoch, 0);
            if (es.RestoreBestWeights) run.BestWeights = Snapshot(_model);
            return false;
        }
        return ++run.EpochsWithoutImprovement >= es.Patience;
    }

    private Dictionary<string, string> Fingerprint(ImageBatchSet train, ImageBatchSet? validation, int batch)
    {
        var o = _options;
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["epochs"] = o.Epochs.ToString(CultureInfo.InvariantCulture),
            ["batch"] = batch.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = $"{o.Optimizer} lr={F(o.LearningRate)} momentum={F(o.Momentum)} nesterov={o.Nesterov} wd={F(o.WeightDecay)}",
            ["schedule"] = $"{o.Schedule} warmup={o.WarmupEpochs} step={o.StepEpochs} gamma={F(o.StepGamma)}",
            ["loss"] = $"smoothing={F(o.LabelSmoothing)} clip={(o.GradientClipNorm is double c ? F(c) : "none")}",
            ["augmentation"] = $"flip={o.HorizontalFlip} pad={o.CropPadding} {(o.CropPaddingFill is { } fill ? $"fill={string.Join(",", fill.Select(v => F(v)))} " : "")}mixup={F(o.MixUpAlpha)} cutmix={F(o.CutMixAlpha)} p={F(o.MixProbability)}",
            ["earlyStopping"] = o.EarlyStopping is { } es ? $"{es.Metric} patience={es.Patience} delta={F(es.MinDelta)} restore={es.RestoreBestWeights}" : "none",
            ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture),
            ["data"] = $"train={train.Count} validation={validation?.Count ?? 0} shape={train.Channels}x{train.Height}x{train.Width} classes={train.Classes} soft={train.SoftTargets is not null}",
            ["model"] = string.Join(";", _model.StateDict().Select(kv => $"{kv.Key}{kv.Value.ShapeText}")),
        };
    }

    private TrainingCheckpoint Capture(RunPosition run, Dictionary<string, string> fingerprint, Optimizer optimizer, LearningRateSchedule schedule,
        StepContext ctx, TimeSpan elapsed)
    {
        var opt = optimizer.ExportState();
        var rng = ctx.Random.GetState();
        return new TrainingCheckpoint
        {
            Header = new CheckpointHeader
            {
                Fingerprint = fingerprint, Epoch = run.Epoch, Step = run.Step, LossSum = run.LossSum, Correct = run.Correct, Seen = run.Seen,
                OptimizerStep = opt.Step, LearningRates = [.. opt.LearningRates], Momenta = [.. opt.Momenta], SchedulePosition = schedule.Position,
                RandomState = [rng.S0, rng.S1, rng.S2, rng.S3], RandomHasSpare = rng.HasSpareNormal, RandomSpare = rng.SpareNormal,
                History = [.. run.History], BestValue = run.BestValue, BestEpoch = run.BestEpoch, EpochsWithoutImprovement = run.EpochsWithoutImprovement,
                ElapsedSeconds = elapsed.TotalSeconds, Stopped = run.Stopped,
            },
            Model = Snapshot(_model),
            Optimizer = opt.Buffers.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            Best = run.BestWeights,
        };
    }

    private RunPosition Restore(TrainingCheckpoint checkpoint, Dictionary<string, string> fingerprint, Optimizer optimizer, LearningRateSchedule schedule,
        StepContext ctx, string path)
    {
        var h = checkpoint.Header;
        foreach (var (key, value) in fingerprint)
            if (!h.Fingerprint.TryGetValue(key, out string? saved) || saved != value)
                throw new InvalidOperationException(
                    $"Checkpoint '{path}' was written by a run with other settings ({key}: checkpoint '{saved ?? "missing"}', this run '{value}'); resume with the same settings and data.");
        if (h.Epoch < 1 || h.Step < 0 || h.LearningRates.Length != optimizer.Groups.Count || h.Momenta.Length != optimizer.Groups.Count)
            throw new InvalidDataException($"Checkpoint '{path}' is unreadable: its position or optimizer groups are invalid.");
        CopyInto(_model, checkpoint.Model, $"checkpoint '{path}'");
        try
        {
            optimizer.ImportState(new OptimizerState(h.OptimizerStep, h.LearningRates, h.Momenta, checkpoint.Optimizer));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is unreadable: {e.Message}", e);
        }
        schedule.Restore(h.SchedulePosition);
        ctx.Random.SetState(h.ToRandomState());
        return new RunPosition
        {
            Epoch = h.Epoch, Step = h.Step, LossSum = h.LossSum, Correct = h.Correct, Seen = h.Seen, History = [.. h.History], BestValue = h.BestValue,
            BestEpoch = h.BestEpoch, EpochsWithoutImprovement = h.EpochsWithoutImprovement, BestWeights = checkpoint.Best, ElapsedOffset = h.ElapsedSeconds,
            Stopped = h.Stopped,
        };
    }

    private static Dictionary<string, float[]> Snapshot(Module model) =>
        model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Span.ToArray(), StringComparer.Ordinal);

    private static void CopyInto(Module model, Dictionary<string, float[]> source, string what)
    {
        var own = model.StateDict();
        if (own.Count != source.Count || own.Any(kv => !source.TryGetValue(kv.Key, out var v) || v.Length != kv.Value.Length))
            throw new InvalidDataException($"The weights in {what} do not match the model (different architecture or class count).");
        foreach (var (key, tensor) in own) source[key].CopyTo(tensor.Span);
    }

    private static bool AllFinite(Module model)
    {
        foreach (var (_, tensor) in model.StateDict())
            foreach (float v in tensor.Span)
                if (!float.IsFinite(v)) return false;
        return true;
    }

    private (double? Loss, double? Accuracy) Evaluate(ImageBatchSet data)
    {
        float[] p = PredictProbabilities(data);
        double loss = 0;
        long correct = 0;
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<float> row = p.AsSpan(i * data.Classes, data.Classes);
            loss -= Math.Log(Math.Max(row[data.Labels[i]], 1e-15f));
            if (TensorPrimitives.IndexOfMax(row) == data.Labels[i]) correct++;
        }
        return (loss / data.Count, (double)correct / data.Count);
    }

    /// <summary>
    /// MixUp or CutMix on the batch in place, into soft targets <paramref name="mixed"/> (from the hard labels, or the soft
    /// ones); the draw comes from (seed, epoch, step) alone, so a resumed run mixes the same way. False when the batch stays unmixed.
    /// </summary>
    private bool Mix(Tensor x, ReadOnlySpan<int> labels, float[]? soft, float[] mixed, int classes, int epoch, int step)
    {
        var o = _options;
        var random = DataPrep.Augmentation.AugmentationRandom.ForExample(o.Seed ^ 0x5EED_0F_B47C_41C5UL, epoch, step);
        if (random.NextDouble() >= o.MixProbability) return false;
        int n = labels.Length;
        Span<float> targets = mixed.AsSpan(0, n * classes);
        if (soft is not null) soft.AsSpan(0, n * classes).CopyTo(targets);
        else
        {
            targets.Clear();
            for (int i = 0; i < n; i++) targets[i * classes + labels[i]] = 1;
        }
        bool cut = o.CutMixAlpha > 0 && (o.MixUpAlpha <= 0 || random.NextDouble() < 0.5);
        int c = x.Dim(1), h = x.Dim(2), w = x.Dim(3);
        if (cut)
            DataPrep.Augmentation.BatchMixing.ApplyCutMix(x.Span, targets, c, h, w, DataPrep.Augmentation.BatchMixing.SampleCutMix(ref random, n, w, h, o.CutMixAlpha));
        else
            DataPrep.Augmentation.BatchMixing.ApplyMixUp(x.Span, targets, DataPrep.Augmentation.BatchMixing.SampleMixUp(ref random, n, o.MixUpAlpha));
        return true;
    }

    /// <summary>
    /// Copies the examples into the batch, applying this epoch's flip and padded-crop draws per example; the padded border
    /// takes <see cref="TrainingOptions.CropPaddingFill"/> (per channel, or one value for all), else 0.
    /// </summary>
    internal static void FillBatch(TrainingOptions options, ImageBatchSet data, ReadOnlySpan<int> indices, Span<float> x, int[] y, float[]? soft, int epoch)
    {
        int size = data.ImageSize, h = data.Height, w = data.Width, pad = options.CropPadding, k = data.Classes;
        float[]? fill = options.CropPaddingFill;
        CheckFill(options, data.Channels);
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            y[i] = data.Labels[index];
            if (soft is not null) data.SoftTargets.AsSpan(index * k, k).CopyTo(soft.AsSpan(i * k, k));
            ReadOnlySpan<float> src = data.Images.AsSpan(index * size, size);
            Span<float> dst = x.Slice(i * size, size);
            if (!options.HorizontalFlip && pad == 0)
            {
                src.CopyTo(dst);
                continue;
            }
            // A value-type stream per (epoch, example): a class per example cost 128 allocations a batch, and the garbage
            // collections they triggered stopped the kernels' threads.
            var rng = DataPrep.Augmentation.AugmentationRandom.ForExample(options.Seed ^ 0xA5A5_5A5A_0F0F_F0F0UL, epoch, index);
            bool flip = options.HorizontalFlip && rng.Chance(0.5);
            int dx = pad == 0 ? 0 : rng.NextIntInclusive(-pad, pad), dy = pad == 0 ? 0 : rng.NextIntInclusive(-pad, pad);
            for (int c = 0; c < data.Channels; c++)
            {
                float border = fill is null ? 0f : fill[fill.Length == 1 ? 0 : c];
                for (int r = 0; r < h; r++)
                {
                    int sr = r + dy;
                    for (int col = 0; col < w; col++)
                    {
                        int sc = (flip ? w - 1 - col : col) + dx;
                        dst[(c * h + r) * w + col] = (uint)sr < (uint)h && (uint)sc < (uint)w ? src[(c * h + sr) * w + sc] : border;
                    }
                }
            }
        }
    }

    /// <summary>A padding fill is one value or one per channel.</summary>
    private static void CheckFill(TrainingOptions options, int channels)
    {
        if (options.CropPaddingFill is { } fill && fill.Length != 1 && fill.Length != channels)
            throw new ArgumentException($"CropPaddingFill holds {fill.Length} values; the images have {channels} channels (give one value or one per channel).", nameof(options));
    }

    private static long CountCorrect(ReadOnlySpan<float> logits, ReadOnlySpan<int> y, int classes)
    {
        long correct = 0;
        for (int i = 0; i < y.Length; i++)
            if (TensorPrimitives.IndexOfMax(logits.Slice(i * classes, classes)) == y[i]) correct++;
        return correct;
    }

    /// <summary>The mutable position of a run (what a checkpoint captures besides tensors).</summary>
    private sealed class RunPosition
    {
        public int Epoch { get; set; } = 1;
        public int Step { get; set; }
        public double LossSum { get; set; }
        public long Correct { get; set; }
        public long Seen { get; set; }
        public List<EpochMetrics> History { get; init; } = [];
        public double? BestValue { get; set; }
        public int BestEpoch { get; set; }
        public int EpochsWithoutImprovement { get; set; }
        public Dictionary<string, float[]>? BestWeights { get; set; }
        public double ElapsedOffset { get; init; }
        public bool Stopped { get; set; }
    }
}
