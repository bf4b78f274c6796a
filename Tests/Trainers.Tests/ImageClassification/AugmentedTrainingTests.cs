using MlPipelines.Data;
using MlPipelines.DataPrep.Augmentation;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.Testing;
using MlPipelines.Trainers.ImageClassification;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Trainers.Tests.ImageClassification;

/// <summary>Augmentation upstream of the trainer: drawn anew every epoch, never applied to validation rows, reproducible across a resume.</summary>
[TestClass]
public sealed class AugmentedTrainingTests
{
    private static IDataView Images(MLContext ctx, int count)
    {
        var all = ctx.Data.LoadFromIdx(Path.Combine(TestPaths.DataFolder, "fashion-sample-train-images-idx3-ubyte.gz"),
            Path.Combine(TestPaths.DataFolder, "fashion-sample-train-labels-idx1-ubyte.gz"), FashionSample.ClassNames);
        return ctx.Data.TakeRows(ctx.Data.ShuffleRows(all, seed: 1), count);
    }

    private static EstimatorChain<ImageClassificationTransformer> Pipeline(MLContext ctx, IImageAugmentation augmentation, TrainingOptions training, double validationFraction = 0) =>
        ctx.Transforms.Augment("Image", "Image", augmentation, seed: 5)
            .Append(ctx.Transforms.ExtractPixels("Features", "Image", new PixelExtractionOptions { Channels = 1, Mean = [0.286f], Std = [0.353f] }))
            .Append(ctx.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
            {
                Training = training, ValidationFraction = validationFraction,
            }));

    private static TrainingOptions Training(int epochs) => new() { Epochs = epochs, BatchSize = 32, LearningRate = 0.05, Seed = 9, DegreeOfParallelism = 2 };

    [TestMethod]
    public void AugmentationIsDrawnEveryEpoch_ButNeverOnValidationRows()
    {
        var ctx = new MLContext(1);
        var data = ctx.Data.Cache(Images(ctx, 200));
        var counting = new CountingFlip();
        var logs = new List<string>();
        ctx.Log += (_, e) => logs.Add(e.Message);
        var model = Pipeline(ctx, counting, Training(3), validationFraction: 0.25).Fit(data);
        Assert.HasCount(3, model.LastTransformer.History!);
        Assert.IsNotNull(model.LastTransformer.History![0].ValidationAccuracy);
        // Training rows are augmented once per epoch; the (about 50) validation rows never.
        string line = logs.Single(l => l.Contains("Training lenet5 on ", StringComparison.Ordinal));
        int trainRows = int.Parse(line.Split("Training lenet5 on ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        StringAssert.Contains(line, $"validating on {200 - trainRows}");
        Assert.IsInRange(145, 155, trainRows);
        Assert.AreEqual(3 * trainRows, counting.Calls);
        Assert.IsGreaterThan(2 * trainRows, counting.Draws.Distinct().Count(), "each epoch draws its own randomness (the same draws every epoch would give 150)");

        // Scoring the fitted chain does not augment.
        counting.Reset();
        using (var cursor = model.Transform(data).GetRowCursor(model.Transform(data).Schema.Where(c => c.Name == "Score")))
            while (cursor.MoveNext()) { }
        Assert.AreEqual(0, counting.Calls);
    }

    [TestMethod]
    public void AugmentedRun_ResumedAfterAKill_EndsWithTheSameWeights()
    {
        var ctx = new MLContext(2);
        var data = ctx.Data.Cache(Images(ctx, 160));
        var augmentation = new Compose(new RandomFlip(), new RandomCrop(28, 28, 3));
        var reference = Pipeline(ctx, augmentation, Training(3)).Fit(data).LastTransformer;
        string dir = TestPaths.NewTempFolder("aug-resume");
        try
        {
            var killing = Training(3) with { CheckpointDirectory = dir, CheckpointEverySteps = 2, Callbacks = [new KillAt(2, 3)] };
            Assert.ThrowsExactly<InvalidTimeZoneException>(() => Pipeline(new MLContext(2), augmentation, killing).Fit(data));
            var resumed = Pipeline(new MLContext(2), augmentation, Training(3) with { ResumeFrom = dir }).Fit(data).LastTransformer;
            CollectionAssert.AreEqual(Weights(reference), Weights(resumed));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static float[] Weights(ImageClassificationTransformer t) => [.. t.Model.StateDict().Values.SelectMany(v => v.Span.ToArray())];

    /// <summary>Flips horizontally with probability one half and counts its calls and first draws.</summary>
    private sealed class CountingFlip : IImageAugmentation
    {
        private int _calls;
        private readonly System.Collections.Concurrent.ConcurrentBag<ulong> _draws = [];

        public string Name => "CountingFlip";

        public int Calls => _calls;

        /// <summary>The first draw of every call.</summary>
        public IEnumerable<ulong> Draws => _draws;

        public void Reset()
        {
            _calls = 0;
            _draws.Clear();
        }

        public Image Augment(Image image, ref AugmentationRandom random)
        {
            Interlocked.Increment(ref _calls);
            var copy = random;
            _draws.Add(copy.NextUInt64());
            if (random.NextDouble() >= 0.5) return image;
            var flipped = new Image(image.Width, image.Height, image.Channels);
            for (int y = 0; y < image.Height; y++)
                for (int x = 0; x < image.Width; x++)
                    for (int c = 0; c < image.Channels; c++)
                        flipped.Pixels[(y * image.Width + x) * image.Channels + c] = image.Pixels[(y * image.Width + image.Width - 1 - x) * image.Channels + c];
            return flipped;
        }
    }

    private sealed class KillAt(int epoch, int step) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingState state)
        {
            if (state.Epoch == epoch && state.Step == step) throw new InvalidTimeZoneException("simulated kill");
        }
    }
}

/// <summary>The trainer reading raw images: it resizes and normalises them itself, the same way when scoring a loaded model.</summary>
[TestClass]
public sealed class ImageColumnTrainingTests
{
    [TestMethod]
    public void ImageColumn_IsResizedAndNormalisedByTheTrainer_AndALoadedModelScoresIdentically()
    {
        var ctx = new MLContext(3);
        var images = ctx.Data.LoadFromIdx(Path.Combine(TestPaths.DataFolder, "fashion-sample-train-images-idx3-ubyte.gz"),
            Path.Combine(TestPaths.DataFolder, "fashion-sample-train-labels-idx1-ubyte.gz"), FashionSample.ClassNames);
        var shuffled = ctx.Data.ShuffleRows(images, seed: 2);
        var train = ctx.Data.TakeRows(shuffled, 1000);
        var test = ctx.Data.TakeRows(ctx.Data.SkipRows(shuffled, 1000), 300);
        var trainer = ctx.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            FeatureColumnName = "Image", ImageShape = (1, 24, 24), Training = new TrainingOptions { Epochs = 3, BatchSize = 32, Seed = 5, DegreeOfParallelism = 2 },
        });
        Assert.ThrowsExactly<SchemaMismatchException>(() => ctx.MulticlassClassification.Trainers.ImageClassification(
            new ImageClassificationTrainer.Options { FeatureColumnName = "Image" }).GetOutputSchema(SchemaShape.Create(
                new InMemoryDataViewBuilder().AddColumn("Image", new ImageDataViewType(), new Image[1]).AddKeyColumn("Label", [1u], ["a", "b"]).ToDataView().Schema)),
            "an image column of unknown size needs ImageShape");
        var model = trainer.Fit(train);
        Assert.AreEqual((1, 24, 24), model.InputShape);

        var scored = model.Transform(test);
        double right = 0;
        var rows = new List<float[]>();
        using (var cursor = scored.GetRowCursor([scored.Schema["Label"], scored.Schema["PredictedLabel"], scored.Schema["Score"]]))
        {
            var label = cursor.GetGetter<uint>(scored.Schema["Label"]);
            var predicted = cursor.GetGetter<uint>(scored.Schema["PredictedLabel"]);
            var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
            uint l = 0, p = 0;
            VBuffer<float> s = default;
            while (cursor.MoveNext())
            {
                label(ref l);
                predicted(ref p);
                score(ref s);
                if (l == p) right++;
                rows.Add(s.DenseValues().ToArray());
            }
        }
        Assert.IsGreaterThan(0.6, right / rows.Count, $"accuracy {right / rows.Count:P1} from 28x28 images resized to 24x24");

        using var stream = new MemoryStream();
        ctx.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _).Transform(test);
        using var again = loaded.GetRowCursor([loaded.Schema["Score"]]);
        var getter = again.GetGetter<VBuffer<float>>(loaded.Schema["Score"]);
        VBuffer<float> v = default;
        for (int i = 0; again.MoveNext(); i++)
        {
            getter(ref v);
            CollectionAssert.AreEqual(rows[i], v.DenseValues().ToArray(), $"row {i}");
        }
    }
}
