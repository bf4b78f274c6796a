using System.CommandLine;
using System.Globalization;
using MlPipelines.Data;
using MlPipelines.Evaluation.Metrics;
using MlPipelines.Trainers.ImageClassification;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Cli;

/// <summary>
/// `mlp train`: trains an image classifier through the pipeline API on IDX image files (by default the bundled Fashion-MNIST
/// sample), printing progress per epoch and the test metrics at the end, and writing the model, the training history and the
/// metrics into the output folder. Ctrl+C writes a checkpoint and says how to resume.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new TrainJob();
        var config = new Option<string?>("--config") { Description = "A JSON job file with any of the options below (camelCase names); options given on the command line win" };
        var data = new Option<string?>("--data") { Description = "Folder with PREFIX-{train,test}-{images-idx3,labels-idx1}-ubyte[.gz]; default: the bundled sample" };
        var prefix = new Option<string>("--prefix") { Description = "File name prefix inside --data", DefaultValueFactory = _ => defaults.Prefix };
        var arch = new Option<string>("--arch") { Description = $"Architecture: {string.Join(", ", ImageClassificationArchitectures.Names)}", DefaultValueFactory = _ => defaults.Arch };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data", DefaultValueFactory = _ => defaults.Epochs };
        var batch = new Option<int>("--batch-size") { Description = "Images per step", DefaultValueFactory = _ => defaults.BatchSize };
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "sgd, adam or adamw", DefaultValueFactory = _ => defaults.Optimizer };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate", DefaultValueFactory = _ => defaults.LearningRate };
        var schedule = new Option<LearningRateScheduleKind>("--schedule") { Description = "onecycle, cosine, step or constant", DefaultValueFactory = _ => defaults.Schedule };
        var flip = new Option<bool>("--flip") { Description = "Random horizontal flips while training", DefaultValueFactory = _ => defaults.Flip };
        var pad = new Option<int>("--crop-padding") { Description = "Random crops after padding by this many pixels (0: off)" };
        var validation = new Option<double>("--validation-fraction") { Description = "Hold out this fraction of the training data (stratified) for validation" };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without validation-loss improvement (0: off)" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => defaults.Seed };
        var threads = new Option<int>("--threads") { Description = "Threads (default: all cores)" };
        var output = new Option<string>("--output") { Description = "Folder for model.zip, history.csv/json, metrics.txt, job.json and the checkpoint", DefaultValueFactory = _ => defaults.Output };
        var resume = new Option<bool>("--resume") { Description = "Continue the interrupted run whose checkpoint is in --output" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Also checkpoint every this many steps (0: at the end of each epoch and on Ctrl+C)" };
        var command = new Command("train", "Train an image classifier, print its test metrics and save it")
        {
            config, data, prefix, arch, epochs, batch, optimizer, lr, schedule, flip, pad, validation, patience, seed, threads, output, resume, checkpointEvery,
        };
        command.SetAction((parse, cancel) =>
        {
            string? configPath = parse.GetValue(config);
            var job = configPath is null ? new TrainJob() : TrainJob.Load(configPath);
            T Pick<T>(Option<T> option, T fromJob) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fromJob;
            job = job with
            {
                Data = Pick(data, job.Data), Prefix = Pick(prefix, job.Prefix), Arch = Pick(arch, job.Arch), Epochs = Pick(epochs, job.Epochs),
                BatchSize = Pick(batch, job.BatchSize), Optimizer = Pick(optimizer, job.Optimizer), LearningRate = Pick(lr, job.LearningRate),
                Schedule = Pick(schedule, job.Schedule), Flip = Pick(flip, job.Flip), CropPadding = Pick(pad, job.CropPadding),
                ValidationFraction = Pick(validation, job.ValidationFraction), Patience = Pick(patience, job.Patience), Seed = Pick(seed, job.Seed),
                Threads = Pick(threads, job.Threads), Output = Pick(output, job.Output), CheckpointEvery = Pick(checkpointEvery, job.CheckpointEvery),
            };
            bool resuming = parse.GetValue(resume);
            return Task.Run(() => Run(job, resuming, cancel), cancel);
        });
        return command;
    }

    private static int Run(TrainJob job, bool resume, CancellationToken cancel)
    {
        var s = new
        {
            job.Data, job.Prefix, job.Arch, job.Output, job.ValidationFraction, Resume = resume,
            Training = new TrainingOptions
            {
                Epochs = job.Epochs, BatchSize = job.BatchSize, Optimizer = job.Optimizer, LearningRate = job.LearningRate, Schedule = job.Schedule,
                HorizontalFlip = job.Flip, CropPadding = job.CropPadding, Seed = job.Seed, DegreeOfParallelism = job.Threads > 0 ? job.Threads : Environment.ProcessorCount,
                EarlyStopping = job.Patience > 0 ? new EarlyStoppingOptions { Patience = job.Patience } : null, CheckpointEverySteps = job.CheckpointEvery,
            },
        };
        string folder = s.Data ?? SampleData.FindBundledFolder()
            ?? throw new UserException("The bundled sample (data/fashion-sample-*) was not found; pass --data FOLDER.");
        if (!Directory.Exists(folder)) throw new UserException($"Data folder not found: {folder}");
        if (!ImageClassificationArchitectures.Contains(s.Arch))
            throw new UserException($"Unknown architecture '{s.Arch}'. Choose one of: {string.Join(", ", ImageClassificationArchitectures.Names)}.");
        if (s.Training.EarlyStopping is not null && s.ValidationFraction <= 0)
            throw new UserException("--patience needs --validation-fraction (early stopping watches the validation loss).");
        string checkpoints = Path.Combine(s.Output, "checkpoint");
        if (s.Resume && !File.Exists(Path.Combine(checkpoints, "checkpoint.mlpc")))
            throw new UserException($"Nothing to resume: no checkpoint in {checkpoints}.");
        var training = s.Training with { CheckpointDirectory = checkpoints, ResumeFrom = s.Resume ? checkpoints : null };
        ImageClassificationTrainer trainer;
        var ctx = new MLContext(new MLContextOptions { Seed = (int)(training.Seed & int.MaxValue), DegreeOfParallelism = Math.Max(1, training.DegreeOfParallelism) });
        ctx.Log += (_, e) => { if (e.Kind >= ChannelMessageKind.Info) Console.WriteLine(e.Message); };
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.IsEpochEnd && p.Metrics is { } m)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {m.Epoch,3}/{p.Epochs}  loss {m.TrainLoss:F4}  train acc {m.TrainAccuracy:P1}") +
                    (m.ValidationAccuracy is double va ? string.Create(CultureInfo.InvariantCulture, $"  val loss {m.ValidationLoss:F4}  val acc {va:P1}") : "") +
                    string.Create(CultureInfo.InvariantCulture, $"  lr {m.LearningRate:F4}  {p.ImagesPerSecond:F0} img/s  elapsed {p.Elapsed:mm\\:ss}  eta {p.Remaining:mm\\:ss}"));
        });
        try
        {
            trainer = ctx.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
            {
                Architecture = s.Arch, Training = training, ValidationFraction = s.ValidationFraction, TopK = 3, Progress = progress, CancellationToken = cancel,
            });
        }
        catch (ArgumentException ex)
        {
            throw new UserException(ex.Message.Split(" (Parameter")[0]);
        }

        IDataView train = SampleData.Load(folder, s.Prefix + "-train");
        IDataView test = SampleData.Load(folder, s.Prefix + "-test", train.Schema["Label"].Type is KeyDataViewType k ? (int)k.Count : 0);
        Console.WriteLine($"Training {s.Arch} on {train.GetRowCount():N0} images ({s.Prefix}-train), testing on {test.GetRowCount():N0}; " +
                          $"{training.Epochs} epochs, batch {training.BatchSize}, {training.DegreeOfParallelism} thread(s), seed {training.Seed}.");
        ImageClassificationTransformer model;
        try
        {
            model = trainer.Fit(train);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"mlp: interrupted; the checkpoint is in {checkpoints}. Continue with the same options and --resume.");
            throw;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("other settings", StringComparison.Ordinal))
        {
            throw new UserException(ex.Message);
        }

        var metrics = Evaluate(model, test);
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"Test metrics ({metrics.RowCount:N0} images): micro accuracy {metrics.MicroAccuracy:P2}, macro accuracy {metrics.MacroAccuracy:P2}, " +
            $"top-{metrics.TopKPredictionCount} accuracy {metrics.TopKAccuracy:P2}, log-loss {metrics.LogLoss:F4}, log-loss reduction {metrics.LogLossReduction:F4}, macro F1 {metrics.MacroF1:F4}")
            + Environment.NewLine + metrics.ConfusionMatrix.GetFormattedConfusionTable();
        Console.WriteLine();
        Console.WriteLine(summary);

        Directory.CreateDirectory(s.Output);
        job.Save(Path.Combine(s.Output, "job.json"));
        ctx.Model.Save(model, train.Schema, Path.Combine(s.Output, "model.zip"));
        model.History!.Save(Path.Combine(s.Output, "history.csv"));
        model.History.Save(Path.Combine(s.Output, "history.json"));
        WriteAtomically(Path.Combine(s.Output, "metrics.txt"), summary);
        Console.WriteLine($"Wrote model.zip, history.csv, history.json, metrics.txt and job.json to {Path.GetFullPath(s.Output)}.");
        return 0;
    }

    /// <summary>Scores <paramref name="test"/> in batches and accumulates ML.NET's multiclass metrics (top-3 included).</summary>
    private static MulticlassClassificationMetrics Evaluate(ImageClassificationTransformer model, IDataView test)
    {
        var scored = model.Transform(test);
        var label = scored.Schema["Label"];
        var score = scored.Schema["Score"];
        int classes = model.ClassNames.Count;
        var accumulator = new MulticlassMetricsAccumulator(classes, Math.Min(3, classes), model.ClassNames);
        const int batch = 256;
        using var cursor = scored.GetBatchCursor([label, score], batch);
        var labels = new int[batch];
        var scores = new float[batch * classes];
        long row = 0;
        while (cursor.MoveNext())
        {
            int n = cursor.Count;
            cursor.CopyKeys(label, labels);
            cursor.CopyFloats(score, scores);
            accumulator.UpdateBatch(labels.AsSpan(0, n), scores.AsSpan(0, n * classes), row);
            row += n;
        }
        return accumulator.Compute();
    }

    private static void WriteAtomically(string path, string text)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
