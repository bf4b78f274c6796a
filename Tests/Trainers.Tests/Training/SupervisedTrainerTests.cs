using MlPipelines.Engine.Models;
using MlPipelines.Engine.Models.Zoo;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Trainers.Tests.Training;

[TestClass]
public sealed class SupervisedTrainerTests
{
    private static ImageBatchSet Sample(string split, int count) => FashionSample.Batches(split, count);

    private static TrainingOptions Options => new() { Epochs = 4, BatchSize = 32, LearningRate = 0.05, Seed = 7, DegreeOfParallelism = 2, HorizontalFlip = true, CropPadding = 2 };

    [TestMethod]
    public void LeNet_ReachesAnAccuracyFloor_OnRealData()
    {
        var train = Sample("train", 1200);
        var test = Sample("test", 400);
        var trainer = new SupervisedTrainer(ReferenceModels.LeNet5(seed: 1), Options);
        var history = trainer.Fit(train, test);
        Assert.AreEqual(4, history.Count);
        Assert.IsLessThan(history[0].TrainLoss, history[^1].TrainLoss, "training loss must fall");
        Assert.IsGreaterThan(0.65, history[^1].ValidationAccuracy!.Value, $"test accuracy {history[^1].ValidationAccuracy:P1} (chance is 10 %)");
        float[] p = trainer.PredictProbabilities(test);
        Assert.AreEqual(1.0, p.AsSpan(0, 10).ToArray().Sum(), 1e-4);
    }

    [TestMethod]
    public void SameSeed_ReproducesTheLossSequenceAndWeights()
    {
        var train = Sample("train", 256);
        var runs = new List<(List<double> Losses, float[] Weights)>();
        for (int r = 0; r < 2; r++)
        {
            var model = ReferenceModels.LeNet5(seed: 3);
            var losses = new List<double>();
            new SupervisedTrainer(model, Options with { Epochs = 2 }).Fit(train, null, new Collect(losses));
            runs.Add((losses, model.StateDict().Values.SelectMany(t => t.Span.ToArray()).ToArray()));
        }
        CollectionAssert.AreEqual(runs[0].Losses, runs[1].Losses);
        CollectionAssert.AreEqual(runs[0].Weights, runs[1].Weights);
        var other = new List<double>();
        new SupervisedTrainer(ReferenceModels.LeNet5(seed: 3), Options with { Epochs = 2, Seed = 8 }).Fit(train, null, new Collect(other));
        CollectionAssert.AreNotEqual(runs[0].Losses, other, "another seed must shuffle and augment differently");
    }

    [TestMethod]
    public void NonFiniteInput_StopsWithAnErrorNamingEpochAndStep()
    {
        var train = Sample("train", 64);
        train.Images[40 * 784] = float.NaN; // the second batch of 32 holds example 40 in some order; every epoch sees it
        var ex = Assert.ThrowsExactly<TrainingDivergedException>(() =>
            new SupervisedTrainer(ReferenceModels.LeNet5(), Options with { Epochs = 1, HorizontalFlip = false, CropPadding = 0 }).Fit(train));
        Assert.AreEqual(1, ex.Epoch);
        StringAssert.Contains(ex.Message, "epoch 1, step");
    }

    [TestMethod]
    public void Cancellation_StopsTraining()
    {
        var train = Sample("train", 128);
        using var cts = new CancellationTokenSource();
        var progress = new Collect([], p => { if (p.Step == 2) cts.Cancel(); });
        Assert.ThrowsExactly<OperationCanceledException>(() => new SupervisedTrainer(ReferenceModels.LeNet5(), Options).Fit(train, null, progress, cts.Token));
    }

    [TestMethod]
    public void AuxiliaryClassifiers_LearnThroughTheTrainersLoss_WhichReportsTheWeightedSum()
    {
        // GoogLeNet with its two training-only heads: they only get gradients from the auxiliary losses the trainer adds, so
        // without weight decay their weights move only if the trainer wires those losses in.
        const int classes = 3;
        var model = ModelZoo.Create("googlenet-aux", 1, classes, 32, seed: 2);
        var rng = new Engine.Compute.SeededRandom(5);
        var pixels = new float[16 * 32 * 32];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = rng.NextFloat(-1, 1);
        var data = new ImageBatchSet(pixels, [.. Enumerable.Range(0, 16).Select(i => i % classes)], 1, 32, 32, classes);
        var before = model.StateDict().Where(kv => kv.Key.StartsWith("aux", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value.Span.ToArray());
        Assert.IsNotEmpty(before);

        var losses = new List<double>();
        new SupervisedTrainer(model, Options with { Epochs = 1, BatchSize = 8, WeightDecay = 0, HorizontalFlip = false, CropPadding = 0 }).Fit(data, null, new Collect(losses));

        var after = model.StateDict();
        foreach (string key in before.Keys.Where(k => k.EndsWith(".weight", StringComparison.Ordinal)))
            CollectionAssert.AreNotEqual(before[key], after[key].Span.ToArray(), $"auxiliary weight {key} did not train");
        // At initialisation every head's logits are near zero, so each cross-entropy is about ln 3: the first reported loss is
        // the main one plus 0.3 of each auxiliary one, about 1.6 ln 3 (1.0 ln 3 without them, 3 ln 3 at weight 1).
        Assert.IsTrue(losses[0] > 1.45 * Math.Log(classes) && losses[0] < 1.75 * Math.Log(classes), $"first loss {losses[0]:F4}, ln 3 = {Math.Log(classes):F4}");
    }

    [TestMethod]
    public void BadOptionsAndData_AreRejected()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SupervisedTrainer(ReferenceModels.LeNet5(), Options with { Epochs = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SupervisedTrainer(ReferenceModels.LeNet5(), Options with { LearningRate = double.NaN }));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageBatchSet(new float[784], [12], 1, 28, 28, 10));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageBatchSet(new float[100], [1], 1, 28, 28, 10));
        Assert.ThrowsExactly<ArgumentException>(() => new SupervisedTrainer(ReferenceModels.LeNet5(), Options with { CropPaddingFill = [] }));
        Assert.ThrowsExactly<ArgumentException>(() => new SupervisedTrainer(ReferenceModels.LeNet5(), Options with { CropPaddingFill = [float.NaN] }));
        Assert.ThrowsExactly<ArgumentException>(() => new SupervisedTrainer(ReferenceModels.LeNet5(), Options with { CropPaddingFill = [0f, 1f] }).Fit(Sample("train", 32)),
            "two fill values for one-channel images, refused before the first step");
        var twoChannels = new ImageBatchSet(new float[2 * 4 * 4], [0], 2, 4, 4, 2);
        Assert.ThrowsExactly<ArgumentException>(() =>
            SupervisedTrainer.FillBatch(Options with { CropPaddingFill = [0f, 1f, 2f] }, twoChannels, [0], new float[32], new int[1], null, 1));
    }

    [TestMethod]
    public void FillBatch_CropsAFlippedShiftedWindowOfThePaddedImage_BorderFilledPerChannel()
    {
        const int count = 60, channels = 2, h = 5, w = 6, pad = 2;
        int size = channels * h * w;
        var images = new float[count * size];
        for (int i = 0; i < images.Length; i++) images[i] = i + 1; // every pixel distinct and positive
        var data = new ImageBatchSet(images, new int[count], channels, h, w, 2);
        float[] fill = [-1f, -2f];
        var options = Options with { CropPadding = pad, HorizontalFlip = true, CropPaddingFill = fill };
        int[] indices = Enumerable.Range(0, count).Reverse().ToArray();
        var batch = new float[count * size];
        SupervisedTrainer.FillBatch(options, data, indices, batch, new int[count], null, epoch: 3);

        // The crop of example i is some (flip, dx, dy) of its image padded with the fill: find the placements that explain it.
        var seen = new HashSet<(bool, int, int)>();
        for (int i = 0; i < count; i++)
        {
            var output = batch.AsSpan(i * size, size);
            var source = images.AsSpan(indices[i] * size, size);
            var matches = new List<(bool, int, int)>();
            foreach (bool flip in new[] { false, true })
                for (int dy = -pad; dy <= pad; dy++)
                    for (int dx = -pad; dx <= pad; dx++)
                    {
                        bool all = true;
                        for (int c = 0; c < channels && all; c++)
                            for (int r = 0; r < h && all; r++)
                                for (int col = 0; col < w && all; col++)
                                {
                                    int sr = r + dy, sc = (flip ? w - 1 - col : col) + dx;
                                    float expected = sr >= 0 && sr < h && sc >= 0 && sc < w ? source[(c * h + sr) * w + sc] : fill[c];
                                    all = output[(c * h + r) * w + col] == expected;
                                }
                        if (all) matches.Add((flip, dx, dy));
                    }
            Assert.HasCount(1, matches, $"example {i}: the crop must be exactly one flip and shift of the padded image");
            seen.Add(matches[0]);
        }
        Assert.IsGreaterThan(15, seen.Count, $"60 draws over 50 placements used only {seen.Count}");
        Assert.IsTrue(seen.Any(m => m.Item1) && seen.Any(m => !m.Item1), "both flips must occur");

        var again = new float[batch.Length];
        SupervisedTrainer.FillBatch(options, data, indices, again, new int[count], null, epoch: 3);
        CollectionAssert.AreEqual(batch, again, "the same epoch draws the same crops");
        SupervisedTrainer.FillBatch(options, data, indices, again, new int[count], null, epoch: 4);
        CollectionAssert.AreNotEqual(batch, again, "another epoch draws other crops");
        SupervisedTrainer.FillBatch(options with { CropPaddingFill = null }, data, indices, again, new int[count], null, epoch: 3);
        for (int i = 0; i < batch.Length; i++)
            Assert.AreEqual(batch[i] < 0 ? 0f : batch[i], again[i], $"without a fill the border is 0 (value {i})");
    }

    private sealed class Collect(List<double> losses, Action<TrainingProgress>? also = null) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (!value.IsEpochEnd) losses.Add(value.Loss);
            also?.Invoke(value);
        }
    }
}
