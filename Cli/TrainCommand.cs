using System.CommandLine;
using System.Globalization;
using MlPipelines.Data;
using MlPipelines.DataPrep.Processing;
using MlPipelines.Evaluation.Metrics;
using MlPipelines.Trainers.ImageClassification;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Cli;

/// <summary>
/// `mlp train`: trains an image classifier through the pipeline API on IDX files (by default the bundled Fashion-MNIST
/// sample), a folder per class or a CSV/TSV manifest; prints progress per epoch and the test metrics; writes the model,
/// the training history, the metrics, the job and an HTML report into the output folder. Ctrl+C writes a checkpoint and
/// says how to resume.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new TrainJob();
        var config = new Option<string?>("--config") { Description = "A JSON job file with any of the options below (camelCase names); options given on the command line win" };
        var data = new Option<string?>("--data") { Description = "IDX files (PREFIX-{train,test}-...-ubyte[.gz]) or a folder per class; default: the bundled sample" };
        var manifest = new Option<string?>("--manifest") { Description = "A CSV/TSV manifest of image paths and labels (instead of --data)" };
        var testData = new Option<string?>("--test-data") { Description = "Test images: a folder per class or a manifest; default: PREFIX-test IDX files, else --test-fraction of the data" };
        var testFraction = new Option<double>("--test-fraction") { Description = "Hold out this fraction (stratified) for testing when there is no test set", DefaultValueFactory = _ => defaults.TestFraction };
        var prefix = new Option<string>("--prefix") { Description = "IDX file name prefix inside --data", DefaultValueFactory = _ => defaults.Prefix };
        var size = new Option<int>("--size") { Description = "Resize image files to SIZE x SIZE", DefaultValueFactory = _ => defaults.Size };
        var grayscale = new Option<bool>("--grayscale") { Description = "Convert image files to one channel" };
        var skipBad = new Option<bool>("--skip-bad-files") { Description = "Leave out unreadable image files (counted and listed) instead of failing" };
        var arch = new Option<string>("--arch") { Description = $"Architecture: {string.Join(", ", ImageClassificationArchitectures.Names)}", DefaultValueFactory = _ => defaults.Arch };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data", DefaultValueFactory = _ => defaults.Epochs };
        var batch = new Option<int>("--batch-size") { Description = "Images per step", DefaultValueFactory = _ => defaults.BatchSize };
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "sgd, adam or adamw", DefaultValueFactory = _ => defaults.Optimizer };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate", DefaultValueFactory = _ => defaults.LearningRate };
        var schedule = new Option<LearningRateScheduleKind>("--schedule") { Description = "onecycle, cosine, step or constant", DefaultValueFactory = _ => defaults.Schedule };
        var pctStart = new Option<double?>("--pct-start") { Description = "One-cycle: fraction of the steps spent warming up (default 0.25)" };
        var divFactor = new Option<double?>("--div-factor") { Description = "One-cycle: start at the peak rate divided by this (default 25)" };
        var finalDivFactor = new Option<double?>("--final-div-factor") { Description = "One-cycle: end at the starting rate divided by this (default 10000)" };
        var flip = new Option<bool>("--flip") { Description = "Random horizontal flips while training", DefaultValueFactory = _ => defaults.Flip };
        var pad = new Option<int>("--crop-padding") { Description = "Random crops after padding by this many black pixels (0: off)" };
        var mixup = new Option<double>("--mixup") { Description = "MixUp alpha (0: off; 0.2 is usual)" };
        var cutmix = new Option<double>("--cutmix") { Description = "CutMix alpha (0: off; 1.0 is usual)" };
        var validation = new Option<double>("--validation-fraction") { Description = "Hold out this fraction of the training data (stratified) for validation" };
        var monitorTest = new Option<bool>("--monitor-test") { Description = "Score the test set after every epoch (history's validation columns; for benchmarks, not with --validation-fraction or --patience)" };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without validation-loss improvement (0: off)" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => defaults.Seed };
        var threads = new Option<int>("--threads") { Description = "Threads (default: all cores)" };
        var output = new Option<string>("--output") { Description = "Folder for model.zip, history, metrics, report.html, job.json and the checkpoint", DefaultValueFactory = _ => defaults.Output };
        var resume = new Option<bool>("--resume") { Description = "Continue the interrupted run whose checkpoint is in --output" };
        var from = new Option<string?>("--from") { Description = "Start from this trained model file (transfer learning; its architecture is used)" };
        var transfer = new Option<TransferMode>("--transfer") { Description = "With --from: finetune, featureextraction or continuetraining", DefaultValueFactory = _ => TransferMode.FineTune };
        var cut = new Option<string?>("--cut") { Description = "With --from: the layer whose output the new head reads, e.g. pool2 (default: before the classifier)" };
        var head = new Option<string?>("--head") { Description = "With --from: the new head, linear (default) or mlp:HIDDEN[:DROPOUT]" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Also checkpoint every this many steps (0: at the end of each epoch and on Ctrl+C)" };
        var command = new Command("train", "Train an image classifier, print its test metrics and save it with a report")
        {
            config, data, manifest, testData, testFraction, prefix, size, grayscale, skipBad, arch, epochs, batch, optimizer, lr, schedule, pctStart, divFactor, finalDivFactor, flip, pad, mixup, cutmix,
            validation, monitorTest, patience, seed, threads, output, resume, checkpointEvery, from, transfer, cut, head,
        };
        command.SetAction((parse, cancel) =>
        {
            string? configPath = parse.GetValue(config);
            var job = configPath is null ? new TrainJob() : TrainJob.Load(configPath);
            T Pick<T>(Option<T> option, T fromJob) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fromJob;
            job = job with
            {
                Data = Pick(data, job.Data), Manifest = Pick(manifest, job.Manifest), TestData = Pick(testData, job.TestData),
                TestFraction = Pick(testFraction, job.TestFraction), Prefix = Pick(prefix, job.Prefix), Size = Pick(size, job.Size),
                Grayscale = Pick(grayscale, job.Grayscale), SkipBadFiles = Pick(skipBad, job.SkipBadFiles), Arch = Pick(arch, job.Arch),
                Epochs = Pick(epochs, job.Epochs), BatchSize = Pick(batch, job.BatchSize), Optimizer = Pick(optimizer, job.Optimizer),
                LearningRate = Pick(lr, job.LearningRate), Schedule = Pick(schedule, job.Schedule), Flip = Pick(flip, job.Flip),
                PctStart = Pick(pctStart, job.PctStart), DivFactor = Pick(divFactor, job.DivFactor), FinalDivFactor = Pick(finalDivFactor, job.FinalDivFactor),
                CropPadding = Pick(pad, job.CropPadding), MixUp = Pick(mixup, job.MixUp), CutMix = Pick(cutmix, job.CutMix), ValidationFraction = Pick(validation, job.ValidationFraction), Patience = Pick(patience, job.Patience),
                MonitorTest = Pick(monitorTest, job.MonitorTest),
                Seed = Pick(seed, job.Seed), Threads = Pick(threads, job.Threads), Output = Pick(output, job.Output),
                CheckpointEvery = Pick(checkpointEvery, job.CheckpointEvery), From = Pick(from, job.From), Transfer = Pick(transfer, job.Transfer),
                Cut = Pick(cut, job.Cut), Head = Pick(head, job.Head),
            };
            bool resuming = parse.GetValue(resume);
            return Task.Run(() => Run(job, resuming, cancel), cancel);
        });
        return command;
    }

    private static int Run(TrainJob job, bool resume, CancellationToken cancel)
    {
        if (!ImageClassificationArchitectures.Contains(job.Arch))
            throw new UserException($"Unknown architecture '{job.Arch}'. Choose one of: {string.Join(", ", ImageClassificationArchitectures.Names)}.");
        if (job.Patience > 0 && job.ValidationFraction <= 0)
            throw new UserException("--patience needs --validation-fraction (early stopping watches the validation loss).");
        if (job.MonitorTest && (job.ValidationFraction > 0 || job.Patience > 0))
            throw new UserException("--monitor-test reports test accuracy per epoch; it cannot be combined with --validation-fraction or --patience (early stopping must not watch the test set).");
        if (job.Size < 1) throw new UserException("--size must be positive.");
        if (!(job.TestFraction > 0 && job.TestFraction < 1)) throw new UserException("--test-fraction must lie between 0 and 1.");
        if (job.From is null && (job.Cut is not null || job.Head is not null))
            throw new UserException("--cut and --head adapt a pretrained model: give it with --from.");
        TransferHead transferHead;
        try
        {
            transferHead = job.Head is null ? TransferHead.Linear : TransferHead.Parse(job.Head);
        }
        catch (FormatException ex)
        {
            throw new UserException("--head: " + ex.Message);
        }
        string checkpoints = Path.Combine(job.Output, "checkpoint");
        if (resume && !File.Exists(Path.Combine(checkpoints, "checkpoint.mlpc")))
            throw new UserException($"Nothing to resume: no checkpoint in {checkpoints}.");
        var training = new TrainingOptions
        {
            Epochs = job.Epochs, BatchSize = job.BatchSize, Optimizer = job.Optimizer, LearningRate = job.LearningRate, Schedule = job.Schedule,
            HorizontalFlip = job.Flip, CropPadding = job.CropPadding, MixUpAlpha = job.MixUp, CutMixAlpha = job.CutMix, Seed = job.Seed, DegreeOfParallelism = job.Threads > 0 ? job.Threads : Environment.ProcessorCount,
            EarlyStopping = job.Patience > 0 ? new EarlyStoppingOptions { Patience = job.Patience } : null, CheckpointEverySteps = job.CheckpointEvery,
            CheckpointDirectory = checkpoints, ResumeFrom = resume ? checkpoints : null,
        };
        training = training with
        {
            OneCyclePctStart = job.PctStart ?? training.OneCyclePctStart, OneCycleDivFactor = job.DivFactor ?? training.OneCycleDivFactor,
            OneCycleFinalDivFactor = job.FinalDivFactor ?? training.OneCycleFinalDivFactor,
        };
        var ctx = new MLContext(new MLContextOptions { Seed = (int)(job.Seed & int.MaxValue), DegreeOfParallelism = training.DegreeOfParallelism });
        ctx.Log += (_, e) => { if (e.Kind >= ChannelMessageKind.Info) Console.WriteLine(e.Message); };

        var (train, test, source) = LoadData(ctx, job);
        int channels = SampleChannels(train);
        var (mean, std) = DataSources.PixelStatistics(train, channels);
        var pixels = new PixelExtractionOptions { Channels = channels, Mean = mean, Std = std };
        // The padded crop's border is black, (0 - mean) / std, as a crop of the unnormalised image padded with zeros would be.
        training = training with { CropPaddingFill = [.. Enumerable.Range(0, channels).Select(pixels.ValueOfZero)] };
        var progress = new TrainingConsole();
        var extract = ctx.Transforms.ExtractPixels("Features", DataSources.ImageColumn, pixels);
        IEstimator<TransformerChain<ImageClassificationTransformer>> pipeline;
        try
        {
            pipeline = extract
                .Append(ctx.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
                {
                    Architecture = job.Arch, Training = training, ValidationFraction = job.ValidationFraction,
                    ValidationSet = job.MonitorTest ? extract.Fit(test).Transform(test) : null, TopK = 3, Progress = progress, CancellationToken = cancel,
                    Transfer = job.From is null ? null : new TransferOptions { From = ModelFiles.LoadClassifier(job.From), Mode = job.Transfer, CutAt = job.Cut, Head = transferHead },
                }));
        }
        catch (ArgumentException ex)
        {
            throw new UserException(ex.Message.Split(" (Parameter")[0]);
        }
        Console.WriteLine($"Training {job.Arch} on {train.GetRowCount():N0} images ({source}), testing on {test.GetRowCount():N0}; " +
                          $"{training.Epochs} epochs, batch {training.BatchSize}, {training.DegreeOfParallelism} thread(s), seed {training.Seed}.");
        TransformerChain<ImageClassificationTransformer> model;
        try
        {
            model = progress.Run(() => pipeline.Fit(train));
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"mlp: interrupted; the checkpoint is in {checkpoints}. Continue with the same options and --resume.");
            throw;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("other settings", StringComparison.Ordinal) || job.From is not null)
        {
            throw new UserException(ex.Message);
        }
        catch (ArgumentException ex)
        {
            throw new UserException(ex.Message.Split(" (Parameter")[0]);
        }

        var scored = model.Transform(test);
        var metrics = ctx.MulticlassClassification.Evaluate(scored, topKPredictionCount: 3);
        string summary = MetricsText(metrics);
        Console.WriteLine();
        Console.WriteLine(summary);

        Directory.CreateDirectory(job.Output);
        var classifier = model.LastTransformer;
        ctx.Model.Save(model, train.Schema, Path.Combine(job.Output, "model.zip"));
        classifier.History!.Save(Path.Combine(job.Output, "history.csv"));
        classifier.History.Save(Path.Combine(job.Output, "history.json"));
        job.Save(Path.Combine(job.Output, "job.json"));
        AtomicText(Path.Combine(job.Output, "metrics.txt"), summary);
        RunReport.Write(job, classifier, metrics, scored, Path.Combine(job.Output, "report.html"));
        Console.WriteLine($"Wrote model.zip, history.csv, history.json, metrics.txt, report.html (+ charts/) and job.json to {Path.GetFullPath(job.Output)}.");
        return 0;
    }

    /// <summary>The one-line summary and the confusion table.</summary>
    public static string MetricsText(MulticlassClassificationMetrics metrics) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Test metrics ({metrics.RowCount:N0} images): micro accuracy {metrics.MicroAccuracy:P2}, macro accuracy {metrics.MacroAccuracy:P2}, " +
            $"top-{metrics.TopKPredictionCount} accuracy {metrics.TopKAccuracy:P2}, log-loss {metrics.LogLoss:F4}, log-loss reduction {metrics.LogLossReduction:F4}, macro F1 {metrics.MacroF1:F4}")
        + Environment.NewLine + metrics.ConfusionMatrix.GetFormattedConfusionTable();

    public static void AtomicText(string path, string text) => IO.AtomicFile.WriteAllText(path, text);

    /// <summary>Training and test views with "Image" and "Label", and a description of where they came from.</summary>
    private static (IDataView Train, IDataView Test, string Source) LoadData(MLContext ctx, TrainJob job)
    {
        if (job.Manifest is not null)
        {
            var all = DataSources.LoadManifest(ctx, job.Manifest, job.Size, job.Grayscale, job.SkipBadFiles);
            return WithTest(ctx, job, all, job.Manifest);
        }
        string folder = job.Data ?? DataSources.FindBundledFolder()
            ?? throw new UserException("The bundled sample (data/fashion-sample-*) was not found; pass --data FOLDER.");
        if (!Directory.Exists(folder)) throw new UserException($"Data folder not found: {folder}");
        if (DataSources.HasIdx(folder, job.Prefix, "train"))
        {
            var train = DataSources.LoadIdx(ctx, folder, job.Prefix, "train");
            if (job.TestData is null && DataSources.HasIdx(folder, job.Prefix, "test"))
                return (train, DataSources.LoadIdx(ctx, folder, job.Prefix, "test", train.Schema["Label"].GetKeyValueNames()), job.Data is null ? "the bundled sample" : folder);
            return WithTest(ctx, job, train, job.Data is null ? "the bundled sample" : folder);
        }
        if (job.Data is not null && !Directory.EnumerateDirectories(folder).Any())
            throw new UserException($"No {job.Prefix}-train-images-idx3-ubyte[.gz] and no class sub-folders in {folder}.");
        return WithTest(ctx, job, DataSources.LoadFolder(ctx, folder, job.Size, job.Grayscale, job.SkipBadFiles), folder);
    }

    private static (IDataView, IDataView, string) WithTest(MLContext ctx, TrainJob job, IDataView all, string source)
    {
        if (job.TestData is not null)
        {
            var test = File.Exists(job.TestData)
                ? DataSources.LoadManifest(ctx, job.TestData, job.Size, job.Grayscale, job.SkipBadFiles)
                : DataSources.LoadFolder(ctx, job.TestData, job.Size, job.Grayscale, job.SkipBadFiles);
            var trainNames = all.Schema["Label"].GetKeyValueNames();
            var testNames = test.Schema["Label"].GetKeyValueNames();
            if (trainNames is null || testNames is null || !trainNames.SequenceEqual(testNames))
                throw new UserException($"The test data's classes ({string.Join(", ", testNames ?? [])}) differ from the training data's ({string.Join(", ", trainNames ?? [])}).");
            return (all, test, source);
        }
        var split = ctx.Data.TrainTestSplit(all, job.TestFraction, seed: (int)(job.Seed & int.MaxValue), stratificationColumnName: "Label");
        return (split.TrainSet, split.TestSet, $"{source}, {job.TestFraction:P0} held out for testing");
    }

    /// <summary>1 for gray images, 3 for colour (alpha is dropped), from the first training image.</summary>
    private static int SampleChannels(IDataView data)
    {
        var column = data.Schema[DataSources.ImageColumn];
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<DataPrep.Imaging.Image>(column);
        DataPrep.Imaging.Image? image = null;
        if (!cursor.MoveNext()) throw new UserException("The training data has no images.");
        getter(ref image!);
        return image.Channels >= 3 ? 3 : 1;
    }
}
