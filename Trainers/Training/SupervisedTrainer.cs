using System.Diagnostics;
using MlPipelines.Engine;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Optim;

namespace MlPipelines.Trainers.Training;

/// <summary>
/// The training loop under the image-classification trainer: shuffled mini-batches, optional flip and padded-crop
/// augmentation, SGD with Nesterov momentum under a one-cycle schedule, cross-entropy with label smoothing, gradient
/// clipping, divergence detection, per-epoch metrics, progress reports and cancellation. Every random choice derives
/// from the seed, so a run reproduces bit for bit at a given degree of parallelism.
/// </summary>
public sealed class SupervisedTrainer
{
    private readonly Module _model;
    private readonly TrainingOptions _options;

    /// <summary>Creates the trainer for <paramref name="model"/> (whose output is [N, classes] logits).</summary>
    public SupervisedTrainer(Module model, TrainingOptions options)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
    }

    /// <summary>Trains; returns one record per epoch. Throws <see cref="TrainingDivergedException"/> on a NaN/infinite loss.</summary>
    public IReadOnlyList<EpochMetrics> Fit(ImageBatchSet train, ImageBatchSet? validation = null, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        var o = _options;
        var config = new ComputeConfig { DegreeOfParallelism = o.DegreeOfParallelism, Seed = o.Seed };
        var ctx = new StepContext(config);
        var optimizer = new Sgd(_model.Parameters(), new SgdOptions { LearningRate = o.LearningRate, Momentum = 0.9, Nesterov = true, WeightDecay = o.WeightDecay });
        int batch = Math.Min(o.BatchSize, train.Count);
        int steps = (train.Count + batch - 1) / batch;
        var schedule = new OneCycleSchedule(optimizer, Math.Max(2, (long)steps * o.Epochs), pctStart: 0.25);
        var loss = new CrossEntropyLoss(o.LabelSmoothing);
        var root = new SeededRandom(o.Seed);
        var order = Enumerable.Range(0, train.Count).ToArray();
        var history = new List<EpochMetrics>();
        var clock = Stopwatch.StartNew();
        _model.Train();
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            root.Fork((ulong)epoch).Shuffle(order.AsSpan());
            double lossSum = 0;
            long correct = 0, seen = 0;
            var epochClock = Stopwatch.StartNew();
            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = step * batch, n = Math.Min(batch, train.Count - start);
                ctx.BeginStep();
                Tensor x = ctx.Rent(n, train.Channels, train.Height, train.Width);
                int[] y = new int[n];
                FillBatch(train, order.AsSpan(start, n), x.Span, y, epoch);
                optimizer.ZeroGrad();
                Tensor logits = _model.Forward(x, ctx);
                double l = loss.Forward(logits, y, ctx);
                if (!double.IsFinite(l)) throw new TrainingDivergedException(epoch, step + 1, l);
                _model.Backward(loss.Gradient!, ctx);
                if (o.GradientClipNorm is double clip && !double.IsFinite(GradientClipping.ClipNorm(_model.Parameters(), clip)))
                    throw new TrainingDivergedException(epoch, step + 1, double.NaN);
                optimizer.Step();
                schedule.Step();
                lossSum += l * n;
                correct += CountCorrect(logits.Span, y, train.Classes);
                seen += n;
                progress?.Report(new TrainingProgress
                {
                    Epoch = epoch, Epochs = o.Epochs, Step = step + 1, StepsPerEpoch = steps, Loss = l,
                    LearningRate = optimizer.Groups[0].LearningRate, ImagesPerSecond = seen / epochClock.Elapsed.TotalSeconds, Elapsed = clock.Elapsed,
                });
            }
            var (vLoss, vAcc) = validation is null ? ((double?)null, (double?)null) : Evaluate(validation);
            var metrics = new EpochMetrics(epoch, lossSum / seen, (double)correct / seen, vLoss, vAcc, optimizer.Groups[0].LearningRate, clock.Elapsed);
            history.Add(metrics);
            progress?.Report(new TrainingProgress
            {
                Epoch = epoch, Epochs = o.Epochs, Step = steps, StepsPerEpoch = steps, Loss = metrics.TrainLoss, LearningRate = metrics.LearningRate,
                ImagesPerSecond = seen / epochClock.Elapsed.TotalSeconds, Elapsed = clock.Elapsed, IsEpochEnd = true, Metrics = metrics,
            });
        }
        return history;
    }

    /// <summary>Softmax probabilities [N, classes] of the model in evaluation mode.</summary>
    public float[] PredictProbabilities(ImageBatchSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var ctx = new StepContext(new ComputeConfig { DegreeOfParallelism = _options.DegreeOfParallelism }) { RecordForBackward = false };
        bool wasTraining = _model.IsTraining;
        _model.Eval();
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
            {
                Span<float> row = result.AsSpan((start + i) * data.Classes, data.Classes);
                logits.Span.Slice(i * data.Classes, data.Classes).CopyTo(row);
                float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
                System.Numerics.Tensors.TensorPrimitives.Subtract(row, max, row);
                System.Numerics.Tensors.TensorPrimitives.Exp(row, row);
                System.Numerics.Tensors.TensorPrimitives.Divide(row, System.Numerics.Tensors.TensorPrimitives.Sum(row), row);
            }
        }
        _model.Train(wasTraining);
        return result;
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
            if (ArgMax(row) == data.Labels[i]) correct++;
        }
        return (loss / data.Count, (double)correct / data.Count);
    }

    /// <summary>Copies the examples into the batch, applying this epoch's flip and padded-crop draws per example.</summary>
    private void FillBatch(ImageBatchSet data, ReadOnlySpan<int> indices, Span<float> x, int[] y, int epoch)
    {
        int size = data.ImageSize, h = data.Height, w = data.Width, pad = _options.CropPadding;
        for (int i = 0; i < indices.Length; i++)
        {
            int index = indices[i];
            y[i] = data.Labels[index];
            ReadOnlySpan<float> src = data.Images.AsSpan(index * size, size);
            Span<float> dst = x.Slice(i * size, size);
            if (!_options.HorizontalFlip && pad == 0)
            {
                src.CopyTo(dst);
                continue;
            }
            var rng = new SeededRandom(_options.Seed ^ 0xA5A5_5A5A_0F0F_F0F0UL).Fork(((ulong)epoch << 32) | (uint)index);
            bool flip = _options.HorizontalFlip && rng.NextFloat() < 0.5f;
            int dx = pad == 0 ? 0 : rng.NextInt(-pad, pad + 1), dy = pad == 0 ? 0 : rng.NextInt(-pad, pad + 1);
            for (int c = 0; c < data.Channels; c++)
                for (int r = 0; r < h; r++)
                {
                    int sr = r + dy;
                    for (int col = 0; col < w; col++)
                    {
                        int sc = (flip ? w - 1 - col : col) + dx;
                        dst[(c * h + r) * w + col] = (uint)sr < (uint)h && (uint)sc < (uint)w ? src[(c * h + sr) * w + sc] : 0f;
                    }
                }
        }
    }

    private static long CountCorrect(ReadOnlySpan<float> logits, int[] y, int classes)
    {
        long correct = 0;
        for (int i = 0; i < y.Length; i++)
            if (ArgMax(logits.Slice(i * classes, classes)) == y[i]) correct++;
        return correct;
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
        return best;
    }
}
