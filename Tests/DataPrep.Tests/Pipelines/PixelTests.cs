using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.DataPrep.Tests.Pipelines;

[TestClass]
public sealed class PixelTests
{
    private static readonly PixelExtractionOptions MeanStd = new() { Scale = 1, Mean = [10, 20, 30], Std = [2, 4, 5] };

    private readonly MLContext _ctx = new(seed: 1);

    [TestMethod]
    public void ExtractPixels_Workout_KnownShapeAndNormalisedValues()
    {
        var image = new Image(2, 1, 3, [10, 20, 30, 40, 50, 60]);
        var data = _ctx.Data.LoadFromImages([(image, "a"), (ImageFiles.Pattern(2, 1), "b")]);
        var invalid = new[] { new InMemoryDataViewBuilder().AddColumn("Image", [1f]).ToDataView() };
        var t = EstimatorWorkout.Run(_ctx, _ctx.Transforms.ExtractPixels("Pixels", "Image", MeanStd), data, invalid);
        var output = t.Transform(data);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3, 1, 2), output.Schema["Pixels"].Type);
        // (pixel - mean[c]) / std[c], planes R, G, B.
        CollectionAssert.AreEqual(new float[] { 0, 15, 0, 7.5f, 0, 6 }, (float[])ViewReader.ReadAll(output, null, "Pixels")[0][0]!);
    }

    [TestMethod]
    public void ExtractPixels_InterleavedAndBgr_Layouts()
    {
        var data = _ctx.Data.LoadFromImages([(new Image(2, 1, 3, [10, 20, 30, 40, 50, 60]), "a")]);
        float[] Read(PixelExtractionOptions o, out DataViewType type)
        {
            var output = _ctx.Transforms.ExtractPixels("Pixels", "Image", o).Fit(data).Transform(data);
            type = output.Schema["Pixels"].Type;
            return (float[])ViewReader.ReadAll(output, null, "Pixels")[0][0]!;
        }
        CollectionAssert.AreEqual(new float[] { 0, 0, 0, 15, 7.5f, 6 }, Read(MeanStd with { Interleave = true }, out var hwc));
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 1, 2, 3), hwc);
        // BGR planes with the per-channel statistics given in output order (B, G, R).
        CollectionAssert.AreEqual(new float[] { 0, 6, 0, 7.5f, 0, 15 }, Read(MeanStd with { Order = ColorOrder.Bgr, Mean = [30, 20, 10], Std = [5, 4, 2] }, out _));
    }

    [TestMethod]
    public void ExtractPixels_OfUnknownSizeImages_IsAVariableVector()
    {
        var data = _ctx.Data.LoadFromImages([(ImageFiles.Pattern(2, 1), "a"), (ImageFiles.Pattern(3, 3), "b")]);
        var est = _ctx.Transforms.ExtractPixels("Pixels", "Image");
        var shape = est.GetOutputSchema(SchemaShape.Create(data.Schema));
        Assert.IsTrue(shape.TryFindColumn("Pixels", out var column));
        Assert.AreEqual(SchemaShape.Column.VectorKind.VariableVector, column.Kind);
        var output = est.Fit(data).Transform(data);
        var rows = ViewReader.ReadAll(output, null, "Pixels");
        Assert.AreEqual(6, ((float[])rows[0][0]!).Length);
        Assert.AreEqual(27, ((float[])rows[1][0]!).Length);
        using var batches = output.GetBatchCursor(2, "Pixels");
        Assert.IsTrue(batches.MoveNext());
        Assert.ThrowsExactly<InvalidOperationException>(() => batches.CopyFloats(output.Schema["Pixels"], new float[100]));
    }

    [TestMethod]
    public void ExtractPixels_ImageBreakingTheDeclaredSize_Throws()
    {
        var data = new InMemoryDataViewBuilder().AddColumn("Image", new ImageDataViewType(1, 2), [ImageFiles.Pattern(3, 3)]).ToDataView();
        var output = _ctx.Transforms.ExtractPixels("Pixels", "Image").Fit(data).Transform(data);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ViewReader.ReadAll(output, null, "Pixels"));
        StringAssert.Contains(e.Message, "2x1");
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    public void BatchCursor_WritesEveryRowOnce_MatchingItsLabel(int threads)
    {
        var ctx = new MLContext(new MLContextOptions { Seed = 1, DegreeOfParallelism = threads });
        var images = Enumerable.Range(0, 11).Select(i => (ImageFiles.Pattern(3, 2, 3, seed: i * 11), $"c{i:D2}")).ToArray();
        var data = ctx.Data.LoadFromImages(images);
        var output = ctx.Transforms.ExtractPixels("Pixels", "Image", PixelExtractionOptions.ImageNet).Fit(data).Transform(data);
        var pixels = output.Schema["Pixels"];
        var label = output.Schema["Label"];
        var seen = new List<(int Class, float[] Pixels)>();
        var buffer = new float[4 * 18];
        var keys = new int[4];
        var counts = new List<int>();
        using (var cursor = output.GetBatchCursor([pixels, label], 4))
        {
            while (cursor.MoveNext())
            {
                counts.Add(cursor.Count);
                cursor.CopyFloats(pixels, buffer);
                cursor.CopyKeys(label, keys);
                for (int i = 0; i < cursor.Count; i++) seen.Add((keys[i], buffer[(i * 18)..((i + 1) * 18)]));
            }
        }
        CollectionAssert.AreEqual(new[] { 4, 4, 3 }, counts, "full batches, then the remainder");
        Assert.AreEqual(11, seen.Count);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 11).ToArray(), seen.Select(s => s.Class).ToArray());
        foreach (var (cls, values) in seen)
            CollectionAssert.AreEqual(PixelExtractor.Extract(images[cls].Item1, PixelExtractionOptions.ImageNet), values, $"class {cls}");
        if (threads == 1) CollectionAssert.AreEqual(Enumerable.Range(0, 11).ToArray(), seen.Select(s => s.Class).ToArray(), "one thread keeps the view's order");
    }

    [TestMethod]
    public void BatchCursor_WithAVectorColumnBeside_FallsBackToRows()
    {
        var data = _ctx.Data.LoadFromImages([(ImageFiles.Pattern(2, 1), "a"), (ImageFiles.Pattern(2, 1, seed: 1), "b")]);
        var output = _ctx.Transforms.ExtractPixels("Pixels", "Image").Append(_ctx.Transforms.CopyColumns("Copy", "Pixels")).Fit(data).Transform(data);
        var reference = ViewReader.ReadAll(output, null, "Copy").Select(r => (float[])r[0]!).SelectMany(x => x).ToArray();
        using var cursor = output.GetBatchCursor(2, "Pixels", "Copy");
        Assert.IsTrue(cursor.MoveNext());
        var buffer = new float[12];
        cursor.CopyFloats(output.Schema["Copy"], buffer);
        CollectionAssert.AreEqual(reference, buffer);
    }

    [TestMethod]
    public void ConvertToImage_Workout_UndoesExtraction()
    {
        var image = ImageFiles.Pattern(2, 1);
        var data = _ctx.Data.LoadFromImages([(image, "a"), (ImageFiles.Pattern(2, 1, seed: 9), "b")]);
        var pixels = _ctx.Transforms.ExtractPixels("Pixels", "Image", PixelExtractionOptions.ImageNet).Fit(data).Transform(data);
        var invalid = new[]
        {
            new InMemoryDataViewBuilder().AddVectorColumn("Pixels", new VectorDataViewType(NumberDataViewType.Single, 6), new float[6]).ToDataView(),
            new InMemoryDataViewBuilder().AddVectorColumn("Pixels", new VectorDataViewType(NumberDataViewType.Single, 1, 1, 2), new float[2]).ToDataView(),
        };
        var t = EstimatorWorkout.Run(_ctx, _ctx.Transforms.ConvertToImage("Back", "Pixels", PixelExtractionOptions.ImageNet), pixels, invalid);
        Assert.AreEqual(new ImageDataViewType(1, 2), t.GetOutputSchema(pixels.Schema)["Back"].Type);
        Assert.AreEqual(image, ViewReader.ReadAll(t.Transform(pixels), null, "Back")[0][0]);
    }
}
