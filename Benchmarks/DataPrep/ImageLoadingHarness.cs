using System.Diagnostics;
using System.Globalization;
using MlPipelines.Benchmarks.Harness;
using MlPipelines.Data;
using MlPipelines.DataPrep.Augmentation;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.Benchmarks.DataPrep;

/// <summary>
/// The training input path end to end: photo-like 500x375 PNGs (written by the harness) are listed with
/// LoadFromImageFolder, decoded once by LoadImages into ctx.Data.Cache, then every epoch goes through
/// Augment(RandomResizedCrop 224 + horizontal flip + ColorJitter 0.4/0.4/0.4) -> ResizeImages(224) (a no-op on training
/// images) -> ExtractPixels(ImageNet mean/std, CHW) and is read with the batch cursor into a [64, 3, 224, 224] buffer
/// plus labels. Images/s with 1 and 2 threads (the context's degree of parallelism), against torchvision's same
/// transforms over the same pre-decoded images with a DataLoader of as many worker processes.
/// Usage: `-- imageload [images=96] [epochs=3]`.
/// </summary>
internal sealed class ImageLoadingHarness : IHarness
{
    private const int Width = 500;
    private const int Height = 375;
    private const int Side = 224;
    private const int Batch = 64;

    public string Name => "imageload";

    public string Description => "cached PNG -> RandomResizedCrop 224, flip, colour jitter, normalise into CHW batches: images/s vs torchvision";

    public int Run(string[] args)
    {
        int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 96;
        int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        string folder = Path.Combine(Path.GetTempPath(), $"mlp-imageload-bench-{Environment.ProcessId}");
        try
        {
            var make = Stopwatch.StartNew();
            WriteImages(folder, count);
            Console.WriteLine($"wrote {count} photo-like {Width}x{Height} PNGs in {make.Elapsed.TotalSeconds:F1} s ({DirectorySize(folder) / count / 1024} KiB each)");
            Stages(folder);
            Console.WriteLine($"{"threads",7} {"ours img/s",11} {"torchvision img/s",18} {"ratio",6}");
            double loadingAtTwo = 0;
            foreach (int threads in new[] { 1, 2 })
            {
                double ours = Measure(folder, threads, epochs);
                double torch = Torch(folder, threads, epochs);
                string anchor = torch > 0 ? $"{torch,18:F1} {ours / torch,6:F2}" : $"{"n/a",18} {"",6}";
                Console.WriteLine($"{threads,7} {ours,11:F1} {anchor}");
                if (threads == 2) loadingAtTwo = ours;
            }
            // The goal: the loading path keeps up with training at least three times over. What the trainer consumes:
            // ResNet-18 at 224x224, batch 16, SGD step, on the same 2 threads.
            double consumed = ResNet18TrainingImagesPerSecond(threads: 2, seconds: 10);
            Console.WriteLine($"ResNet-18 224x224 training consumes {consumed:F1} img/s on 2 threads; loading delivers {loadingAtTwo:F1} img/s = {loadingAtTwo / consumed:F1}x (goal >= 3x)");
            return 0;
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Best images/s over <paramref name="epochs"/> epochs after a warm-up epoch; the cache is filled before timing.</summary>
    private static double Measure(string folder, int threads, int epochs)
    {
        var ctx = new MLContext(new MLContextOptions { Seed = 1, DegreeOfParallelism = threads });
        var files = ctx.Data.LoadFromImageFolder(folder);
        var decoded = ctx.Data.Cache(ctx.Transforms.LoadImages("Image", folder, "ImagePath").Fit(files).Transform(files));
        var fill = Stopwatch.StartNew();
        using (var first = decoded.GetBatchCursor(1, "Image")) first.MoveNext();
        Console.WriteLine($"  [{threads} thread(s)] decode into the cache: {fill.Elapsed.TotalMilliseconds:F0} ms");

        var augmentation = new Compose(new RandomResizedCrop(Side, Side), new RandomFlip(), new ColorJitter(0.4, 0.4, 0.4));
        var augment = ctx.Transforms.Augment("Image", null, augmentation, seed: 7).Fit(decoded);
        var training = augment.TransformForTraining(decoded);
        var tail = ctx.Transforms.ResizeImages("Image", Side, Side)
            .Append(ctx.Transforms.ExtractPixels("Pixels", "Image", PixelExtractionOptions.ImageNet))
            .Fit(training);
        var view = tail.Transform(training);
        var pixels = view.Schema["Pixels"];
        var label = view.Schema["Label"];
        var buffer = new float[Batch * 3 * Side * Side];
        var keys = new int[Batch];
        var rand = new Random(3);
        double best = 0;
        for (int e = 0; e <= epochs; e++)
        {
            var watch = Stopwatch.StartNew();
            long rows = 0;
            using (var cursor = view.GetBatchCursor([pixels, label], Batch, rand))
            {
                while (cursor.MoveNext())
                {
                    cursor.CopyFloats(pixels, buffer);
                    cursor.CopyKeys(label, keys);
                    rows += cursor.Count;
                }
            }
            if (e > 0) best = Math.Max(best, rows / watch.Elapsed.TotalSeconds);
        }
        ((IDisposable)decoded).Dispose();
        return best;
    }

    /// <summary>One thread, per stage: where an image's time goes (ms per image, best of three passes).</summary>
    private static void Stages(string folder)
    {
        var images = Directory.GetFiles(folder, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(32).Select(p => ImageCodecs.DecodeFile(p)).ToArray();
        var crop = new RandomResizedCrop(Side, Side);
        var flip = new RandomFlip();
        var jitter = new ColorJitter(0.4, 0.4, 0.4);
        var cropped = new Image[images.Length];
        var flipped = new Image[images.Length];
        var jittered = new Image[images.Length];
        var output = new float[3 * Side * Side];
        double Time(Action<int> stage)
        {
            double best = double.MaxValue;
            for (int pass = 0; pass < 3; pass++)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < images.Length; i++) stage(i);
                best = Math.Min(best, watch.Elapsed.TotalMilliseconds / images.Length);
            }
            return best;
        }
        AugmentationRandom Rng(int i) => AugmentationRandom.ForExample(7, 0, i);
        double tCrop = Time(i => { var r = Rng(i); cropped[i] = crop.Augment(images[i], ref r); });
        double tFlip = Time(i => { var r = Rng(i); flipped[i] = flip.Augment(cropped[i], ref r); });
        double tJitter = Time(i => { var r = Rng(i); jittered[i] = jitter.Augment(flipped[i], ref r); });
        double tExtract = Time(i => PixelExtractor.Extract(jittered[i], PixelExtractionOptions.ImageNet, output));
        Console.WriteLine($"one thread, ms per image: random resized crop {tCrop:F2}, flip {tFlip:F2}, colour jitter {tJitter:F2}, extract {tExtract:F2}");
    }

    private static double Torch(string folder, int threads, int epochs)
    {
        try
        {
            string output = Anchor.RunPython("imageload_torchvision.py", new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" },
                folder, threads.ToString(CultureInfo.InvariantCulture), epochs.ToString(CultureInfo.InvariantCulture), Batch.ToString(CultureInfo.InvariantCulture));
            foreach (string line in output.Split('\n'))
                if (line.StartsWith("img_per_s ", StringComparison.Ordinal))
                    return double.Parse(line["img_per_s ".Length..], CultureInfo.InvariantCulture);
            throw new InvalidOperationException("the anchor printed no img_per_s line:\n" + output);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or DirectoryNotFoundException)
        {
            Console.WriteLine($"  torchvision anchor unavailable: {e.Message.Split('\n')[0]}");
            return 0;
        }
    }

    /// <summary>
    /// Photo-like pictures: a two-colour gradient, three tinted soft ellipses and Gaussian sensor noise (sigma 6), saved
    /// as PNG in two class folders.
    /// </summary>
    private static void WriteImages(string folder, int count)
    {
        Parallel.For(0, count, i =>
        {
            var rng = new Random(1000 + i);
            var image = new Image(Width, Height, 3);
            var a = new double[3];
            var b = new double[3];
            for (int c = 0; c < 3; c++)
            {
                a[c] = 30 + 195 * rng.NextDouble();
                b[c] = 30 + 195 * rng.NextDouble();
            }
            double gx = 0.2 + 0.8 * rng.NextDouble(), gy = 0.2 + 0.8 * rng.NextDouble();
            var blobs = Enumerable.Range(0, 3).Select(_ => (X: rng.Next(Width), Y: rng.Next(Height), R: 60 + rng.Next(90), Tint: new[] { rng.Next(20, 255), rng.Next(20, 255), rng.Next(20, 255) })).ToArray();
            var px = image.Pixels;
            for (int y = 0; y < Height; y++)
            {
                for (int x = 0; x < Width; x++)
                {
                    double t = ((double)x / Width * gx + (double)y / Height * gy) / 2;
                    for (int c = 0; c < 3; c++)
                    {
                        double v = a[c] * (1 - t) + b[c] * t;
                        foreach (var blob in blobs)
                        {
                            double d2 = ((x - blob.X) * (x - blob.X) + 1.6 * (y - blob.Y) * (y - blob.Y)) / (double)(blob.R * blob.R);
                            if (d2 < 1) v += (blob.Tint[c] - v) * (1 - d2);
                        }
                        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                        v += 6 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                        px[(y * Width + x) * 3 + c] = (byte)Math.Clamp((int)Math.Round(v), 0, 255);
                    }
                }
            }
            string path = Path.Combine(folder, i % 2 == 0 ? "even" : "odd", $"{i:D4}.png");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ImageCodecs.SavePng(image, path);
        });
    }

    private static long DirectorySize(string folder) => new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    /// <summary>Steady-state training images/s of our ResNet-18 at 224x224 (batch 16, SGD with momentum).</summary>
    private static double ResNet18TrainingImagesPerSecond(int threads, double seconds)
    {
        const int batch = 16;
        var model = MlPipelines.Engine.Models.Zoo.ModelZoo.Create("resnet18", 3, 10, 224, 1);
        var ctx = new MlPipelines.Engine.Nn.StepContext(new MlPipelines.Engine.Compute.ComputeConfig { DegreeOfParallelism = threads, Seed = 1 });
        var opt = new MlPipelines.Engine.Optim.Sgd(model.Parameters(), new MlPipelines.Engine.Optim.SgdOptions { LearningRate = 0.01, Momentum = 0.9 });
        var loss = new MlPipelines.Engine.Nn.CrossEntropyLoss();
        var x = new MlPipelines.Engine.Tensor(batch, 3, 224, 224);
        var rng = new MlPipelines.Engine.Compute.SeededRandom(2);
        for (int i = 0; i < x.Length; i++) x.Span[i] = rng.NextNormal();
        int[] labels = Enumerable.Range(0, batch).Select(i => i % 10).ToArray();
        void Step()
        {
            ctx.BeginStep();
            opt.ZeroGrad();
            var logits = model.Forward(x, ctx);
            loss.Forward(logits, labels, ctx);
            model.Backward(loss.Gradient!, ctx);
            opt.Step();
        }
        Step();
        int steps = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds || steps < 3)
        {
            Step();
            steps++;
        }
        return steps * batch / sw.Elapsed.TotalSeconds;
    }
}
