using MlPipelines.Data;
using MlPipelines.DataPrep.Augmentation;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.DataPrep.Transforms;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.DataPrep.Tests.Pipelines;

[TestClass]
public sealed class AugmentTests
{
    private const ulong Seed = 42;
    private static readonly IImageAugmentation Jitter = new Compose(new RandomResizedCrop(4, 4, (0.3, 1.0)), new RandomFlip(), new ColorJitter(0.4, 0.4, 0.4, 0.1));

    private readonly MLContext _ctx = new(seed: 1);

    private (IDataView Data, Image[] Images) Source(int count = 6)
    {
        var images = Enumerable.Range(0, count).Select(i => ImageFiles.Pattern(9 + i, 7, 3, seed: i)).ToArray();
        return (_ctx.Data.LoadFromImages(images.Select((im, i) => (im, i % 2 == 0 ? "even" : "odd"))), images);
    }

    /// <summary>What example <paramref name="row"/> of <paramref name="epoch"/> must look like, from the definition.</summary>
    private static Image Expected(Image image, int epoch, long row)
    {
        var random = AugmentationRandom.ForExample(Seed, epoch, row);
        return Jitter.Augment(image, ref random);
    }

    [TestMethod]
    public void Augment_Workout_IsTheIdentityWhenScoring()
    {
        var (data, images) = Source();
        var invalid = new[]
        {
            new InMemoryDataViewBuilder().AddColumn("Image", ["text"]).ToDataView(),
            new InMemoryDataViewBuilder().AddColumn("Other", [1f]).ToDataView(),
        };
        var t = EstimatorWorkout.Run(_ctx, _ctx.Transforms.Augment("Image", null, Jitter, Seed), data, invalid);
        CollectionAssert.AreEqual(images, ViewReader.ReadAll(t.Transform(data), null, "Image").Select(r => r[0]).ToArray());
        Assert.AreSame(data.Schema, t.GetOutputSchema(data.Schema));
    }

    [TestMethod]
    public void Augment_IntoAnotherColumn_MustReplaceOneOfTheSameType()
    {
        var (data, _) = Source();
        Assert.ThrowsExactly<SchemaMismatchException>(() => _ctx.Transforms.Augment("Missing", "Image", Jitter).GetOutputSchema(SchemaShape.Create(data.Schema)));
        var withCopy = _ctx.Transforms.CopyColumns("Augmented", "Image").Fit(data).Transform(data);
        var t = _ctx.Transforms.Augment("Augmented", "Image", Jitter, Seed).Fit(withCopy);
        var rows = ViewReader.ReadAll(t.TransformForEpoch(withCopy, 0), null, "Image", "Augmented");
        Assert.AreEqual(Expected((Image)rows[2][0]!, 0, 2), rows[2][1]);
    }

    [TestMethod]
    public void TrainingView_EachCursorIsTheNextEpoch_SeededByEpochAndRow()
    {
        var (data, images) = Source();
        var t = _ctx.Transforms.Augment("Image", null, Jitter, Seed).Fit(data);
        var view = t.TransformForTraining(data);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var rows = ViewReader.ReadAll(view, null, "Image");
            for (int i = 0; i < images.Length; i++) Assert.AreEqual(Expected(images[i], epoch, i), rows[i][0], $"epoch {epoch} row {i}");
        }
        Assert.AreNotEqual(Expected(images[0], 0, 0), Expected(images[0], 1, 0), "epochs draw different augmentations");
    }

    [TestMethod]
    public void FixedEpoch_IsTheSame_InAnyOrderAndAtAnyParallelism()
    {
        var (data, images) = Source(10);
        var t = _ctx.Transforms.Augment("Image", null, Jitter, Seed).Fit(data);
        var view = t.TransformForEpoch(data, 5);
        var column = view.Schema["Image"];
        var byId = new Dictionary<ulong, Image>();
        foreach (var cursor in view.GetRowCursorSet([column], 3, new Random(7)))
        {
            using (cursor)
            {
                var getter = cursor.GetGetter<Image>(column);
                var idGetter = cursor.GetIdGetter();
                Image image = null!;
                DataViewRowId id = default;
                while (cursor.MoveNext())
                {
                    getter(ref image);
                    idGetter(ref id);
                    byId.Add(id.Low, image);
                }
            }
        }
        Assert.AreEqual(10, byId.Count);
        for (int i = 0; i < images.Length; i++) Assert.AreEqual(Expected(images[i], 5, i), byId[(ulong)i], $"row {i}");
    }

    [TestMethod]
    public void SaveAndLoad_KeepsTheSeedAndTheBuiltInAugmentation()
    {
        var (data, _) = Source();
        var t = _ctx.Transforms.Augment("Image", null, Jitter, Seed).Fit(data);
        using var stream = new MemoryStream();
        _ctx.Model.Save(t, data.Schema, stream);
        stream.Position = 0;
        var loaded = (ImageAugmentingTransformer)_ctx.Model.Load(stream, out _);
        Assert.AreEqual(Seed, loaded.Seed);
        Assert.AreEqual(Jitter.Name, loaded.Augmentation!.Name);
        ViewReader.AssertEqual(ViewReader.ReadAll(t.TransformForEpoch(data, 2)), ViewReader.ReadAll(loaded.TransformForEpoch(data, 2)), "loaded augmentation");
    }

    [TestMethod]
    public void SaveAndLoad_OfACustomAugmentation_ScoresButCannotTrain()
    {
        var (data, images) = Source();
        var t = _ctx.Transforms.Augment("Image", null, new Invert(), Seed).Fit(data);
        Assert.AreEqual(ImageOpsInvert(images[1]), ViewReader.ReadAll(t.TransformForEpoch(data, 0), null, "Image")[1][0]);
        using var stream = new MemoryStream();
        _ctx.Model.Save(t, data.Schema, stream);
        stream.Position = 0;
        var loaded = (ImageAugmentingTransformer)_ctx.Model.Load(stream, out _);
        Assert.IsNull(loaded.Augmentation);
        Assert.AreSame(data, loaded.Transform(data));
        Assert.ThrowsExactly<InvalidOperationException>(() => loaded.TransformForTraining(data));
    }

    [TestMethod]
    public void Chain_AugmentsForTrainingOnly_AndResizeGivesExtractionItsShape()
    {
        var (data, images) = Source();
        var chain = _ctx.Transforms.Augment("Image", null, Jitter, Seed)
            .Append(_ctx.Transforms.ResizeImages("Image", 4, 4))
            .Append(_ctx.Transforms.ExtractPixels("Pixels", "Image"));
        var model = chain.Fit(data);
        var scored = model.Transform(data);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3, 4, 4), scored.Schema["Pixels"].Type);
        var scoredPixels = (float[])ViewReader.ReadAll(scored, null, "Pixels")[3][0]!;
        var expectedScoring = PixelExtractor.Extract(ImageResizingTransformer.Resize(images[3], 4, 4, ImageResizeMode.IsoCrop), new PixelExtractionOptions());
        CollectionAssert.AreEqual(expectedScoring, scoredPixels, "scoring resizes the original");
        var training = ((ImageAugmentingTransformer)model.First()).TransformForEpoch(data, 0);
        var trainPixels = (float[])ViewReader.ReadAll(model.Skip(1).Aggregate(training, (v, tr) => tr.Transform(v)), null, "Pixels")[3][0]!;
        CollectionAssert.AreEqual(PixelExtractor.Extract(Expected(images[3], 0, 3), new PixelExtractionOptions()), trainPixels, "training sees the augmented image");
    }

    [TestMethod]
    public void AugmentationBreakingADeclaredSize_Throws()
    {
        var data = _ctx.Data.LoadFromImages([(ImageFiles.Pattern(6, 6), "a")]);
        var t = _ctx.Transforms.Augment("Image", null, new RandomResizedCrop(3, 3), Seed).Fit(data);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ViewReader.ReadAll(t.TransformForEpoch(data, 0), null, "Image"));
        StringAssert.Contains(e.Message, "6x6");
    }

    [TestMethod]
    public void Gallery_PlacesTheOriginalThenTheAugmentations_OnAWhiteGrid()
    {
        var image = ImageFiles.Pattern(8, 6);
        var grid = AugmentationGallery.Render(image, new RandomFlip(1.0), count: 2, columns: 2, cellSize: 8);
        // 3 cells in 2 columns: 2 rows; each cell 8 px plus a 4 px gutter, plus the leading gutter.
        Assert.AreEqual((28, 28, 3), (grid.Width, grid.Height, grid.Channels));
        static byte[] Pixel(Image im, int x, int y) => im.Pixels.AsSpan(((y * im.Width) + x) * 3, 3).ToArray();
        CollectionAssert.AreEqual(new byte[] { 255, 255, 255 }, Pixel(grid, 0, 0));
        CollectionAssert.AreEqual(Pixel(image, 0, 0), Pixel(grid, 4, 5), "the original, centred vertically in cell 0");
        CollectionAssert.AreEqual(Pixel(image, 7, 0), Pixel(grid, 16, 5), "cell 1 is mirrored");
        CollectionAssert.AreEqual(Pixel(image, 7, 4), Pixel(grid, 4, 21), "cell 2 (second row) is mirrored");
        CollectionAssert.AreEqual(new byte[] { 255, 255, 255 }, Pixel(grid, 20, 20), "the empty fourth cell stays white");
        Assert.AreEqual(grid, ImageCodecs.Decode(AugmentationGallery.RenderPng(image, new RandomFlip(1.0), 2, 2, 8)));
    }

    private static Image ImageOpsInvert(Image image) => new(image.Width, image.Height, image.Channels, image.Pixels.Select(p => (byte)(255 - p)).ToArray());

    private sealed class Invert : IImageAugmentation
    {
        public string Name => "Invert";

        public Image Augment(Image image, ref AugmentationRandom random) => ImageOpsInvert(image);
    }
}
