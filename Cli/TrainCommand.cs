using System.CommandLine;
using System.Globalization;
using MlPipelines.Engine.Models;
using MlPipelines.Engine.Nn;
using MlPipelines.Evaluation.Metrics;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Cli;

/// <summary>
/// `mlp train`: trains a reference architecture on IDX image files (by default the bundled Fashion-MNIST sample),
/// printing progress per epoch and the test metrics at the end.
/// </summary>
internal static class TrainCommand
{
    private static readonly string[] ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Folder with PREFIX-{train,test}-{images-idx3,labels-idx1}-ubyte[.gz]; default: the bundled sample" };
        var prefix = new Option<string>("--prefix") { Description = "File name prefix inside --data", DefaultValueFactory = _ => "fashion-sample" };
        var arch = new Option<string>("--arch") { Description = "lenet5, vgg_small, resnet20", DefaultValueFactory = _ => "lenet5" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data", DefaultValueFactory = _ => 15 };
        var batch = new Option<int>("--batch-size") { Description = "Images per step", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (one-cycle)", DefaultValueFactory = _ => 0.05 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 42UL };
        var threads = new Option<int>("--threads") { Description = "Threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("train", "Train an image classifier and print its test metrics") { data, prefix, arch, epochs, batch, lr, seed, threads };
        command.SetAction((parse, cancel) => Task.FromResult(Run(
            parse.GetValue(data), parse.GetValue(prefix)!, parse.GetValue(arch)!, parse.GetValue(epochs), parse.GetValue(batch),
            parse.GetValue(lr), parse.GetValue(seed), parse.GetValue(threads), cancel)));
        return command;
    }

    private static int Run(string? dataFolder, string prefix, string arch, int epochs, int batchSize, double lr, ulong seed, int threads, CancellationToken cancel)
    {
        string folder = dataFolder ?? SampleData.FindBundledFolder()
            ?? throw new UserException("The bundled sample (data/fashion-sample-*) was not found; pass --data FOLDER.");
        if (!Directory.Exists(folder)) throw new UserException($"Data folder not found: {folder}");
        var options = new TrainingOptions { Epochs = epochs, BatchSize = batchSize, LearningRate = lr, Seed = seed, DegreeOfParallelism = threads, HorizontalFlip = true };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new UserException(ex.Message.Split(" (Parameter")[0]);
        }
        ImageBatchSet train = SampleData.Load(folder, prefix + "-train");
        ImageBatchSet test = SampleData.Load(folder, prefix + "-test");
        Module model = arch switch
        {
            "lenet5" => ReferenceModels.LeNet5(train.Channels, train.Classes, train.Height, seed),
            "vgg_small" => ReferenceModels.SmallVgg(train.Channels, train.Classes, train.Height, seed),
            "resnet20" => ReferenceModels.ResNetCifar(20, train.Channels, train.Classes, seed),
            _ => throw new UserException($"Unknown architecture '{arch}'. Choose lenet5, vgg_small or resnet20."),
        };
        Console.WriteLine($"Training {arch} ({model.ParameterCount():N0} parameters) on {train.Count:N0} images of {train.Height}x{train.Width}, " +
                          $"{train.Classes} classes; testing on {test.Count:N0}. {epochs} epochs, batch {batchSize}, {threads} thread(s), seed {seed}.");
        var trainer = new SupervisedTrainer(model, options);
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.IsEpochEnd && p.Metrics is { } m)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {m.Epoch,3}/{p.Epochs}  loss {m.TrainLoss:F4}  train acc {m.TrainAccuracy:P1}  lr {m.LearningRate:F4}  {p.ImagesPerSecond:F0} img/s  elapsed {p.Elapsed:mm\\:ss}  eta {p.Remaining:mm\\:ss}"));
        });
        trainer.Fit(train, null, progress, cancel);

        float[] scores = trainer.PredictProbabilities(test);
        var names = test.Classes == ClassNames.Length && prefix.StartsWith("fashion", StringComparison.Ordinal) ? ClassNames : null;
        var accumulator = new MulticlassMetricsAccumulator(test.Classes, Math.Min(3, test.Classes), names);
        accumulator.UpdateBatch(test.Labels, scores);
        var metrics = accumulator.Compute();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Test metrics ({metrics.RowCount:N0} images): micro accuracy {metrics.MicroAccuracy:P2}, macro accuracy {metrics.MacroAccuracy:P2}, " +
            $"top-{metrics.TopKPredictionCount} accuracy {metrics.TopKAccuracy:P2}, log-loss {metrics.LogLoss:F4}, log-loss reduction {metrics.LogLossReduction:F4}, macro F1 {metrics.MacroF1:F4}"));
        Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
        return 0;
    }
}
