using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.DataPrep.Transforms;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.DataPrep.Tests.Pipelines;

[TestClass]
public sealed class ImageGeometryTests
{
    private readonly MLContext _ctx = new(seed: 1);

    private IDataView Images(params Image[] images) => _ctx.Data.LoadFromImages(images.Select((im, i) => (im, i % 2 == 0 ? "a" : "b")));

    private IDataView[] Invalid() =>
    [
        new InMemoryDataViewBuilder().AddColumn("Other", [1f]).ToDataView(),
        new InMemoryDataViewBuilder().AddColumn("Image", ["not an image"]).ToDataView(),
    ];

    [TestMethod]
    public void Resize_Workout_OutputTypeCarriesTheSize()
    {
        var data = Images(ImageFiles.Pattern(7, 5), ImageFiles.Pattern(3, 9, 1));
        var t = EstimatorWorkout.Run(_ctx, _ctx.Transforms.ResizeImages("Small", 4, 6, "Image"), data, Invalid());
        Assert.AreEqual(new ImageDataViewType(6, 4), t.GetOutputSchema(data.Schema)["Small"].Type);
        foreach (var row in ViewReader.ReadAll(t.Transform(data), null, "Small"))
            Assert.AreEqual((4, 6), (((Image)row[0]!).Width, ((Image)row[0]!).Height));
    }

    [TestMethod]
    [DataRow(ImageAnchor.Center, 1)]
    [DataRow(ImageAnchor.Left, 0)]
    [DataRow(ImageAnchor.Right, 2)]
    public void IsoCrop_OfAWideImage_KeepsTheAnchoredSquare(ImageAnchor anchor, int left)
    {
        var image = ImageFiles.Pattern(4, 2);
        var result = ImageResizingTransformer.Resize(image, 2, 2, ImageResizeMode.IsoCrop, anchor);
        var expected = new Image(2, 2, 3);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 2; x++)
                for (int c = 0; c < 3; c++) expected.Pixels[(y * 2 + x) * 3 + c] = image.Pixels[(y * 4 + x + left) * 3 + c];
        Assert.AreEqual(expected, result);
    }

    [TestMethod]
    public void IsoPad_OfAWideImage_AddsBlackRowsAboveAndBelow()
    {
        var image = ImageFiles.Pattern(4, 2, 1, seed: 1);
        var result = ImageResizingTransformer.Resize(image, 4, 4, ImageResizeMode.IsoPad);
        var expected = new byte[16];
        image.Pixels.CopyTo(expected, 4);
        CollectionAssert.AreEqual(expected, result.Pixels);
        var bottom = ImageResizingTransformer.Resize(image, 4, 4, ImageResizeMode.IsoPad, ImageAnchor.Bottom);
        CollectionAssert.AreEqual(new byte[8].Concat(image.Pixels).ToArray(), bottom.Pixels);
    }

    [TestMethod]
    public void Fill_WithTheAreaFilter_AveragesEachBlock()
    {
        // A 4x2 gray image whose 2x2 blocks hold {a, a+4, a+8, a+12}: each output pixel is a + 6.
        var image = new Image(4, 2, 1, [10, 14, 100, 104, 18, 22, 108, 112]);
        var result = ImageResizingTransformer.Resize(image, 2, 1, ImageResizeMode.Fill, filter: ResamplingFilter.Area);
        CollectionAssert.AreEqual(new byte[] { 16, 106 }, result.Pixels);
        var nearest = ImageResizingTransformer.Resize(image, 2, 1, ImageResizeMode.Fill, filter: ResamplingFilter.Nearest);
        Assert.AreEqual((2, 1), (nearest.Width, nearest.Height));
    }

    [TestMethod]
    public void Resize_OfAnImageAlreadyTheTargetSize_ReturnsIt()
    {
        var image = ImageFiles.Pattern(3, 3);
        foreach (var mode in Enum.GetValues<ImageResizeMode>()) Assert.AreSame(image, ImageResizingTransformer.Resize(image, 3, 3, mode));
    }

    [TestMethod]
    public void CenterCrop_Workout_AndTheCentreIsKept()
    {
        var image = ImageFiles.Pattern(5, 3);
        var data = Images(image, ImageFiles.Pattern(2, 2));
        var t = EstimatorWorkout.Run(_ctx, _ctx.Transforms.CenterCrop("Image", 3, 1), data, Invalid());
        Assert.AreEqual(new ImageDataViewType(1, 3), t.GetOutputSchema(data.Schema)["Image"].Type);
        var cropped = (Image)ViewReader.ReadAll(t.Transform(data), null, "Image")[0][0]!;
        // Row 1, columns 1..3 of the 5-pixel-wide source: bytes 3 * (5 + 1) .. + 9.
        CollectionAssert.AreEqual(image.Pixels[18..27], cropped.Pixels);
    }

    [TestMethod]
    public void Grayscale_Workout_UsesRec601Luma()
    {
        var image = new Image(3, 1, 3, [255, 0, 0, 0, 255, 0, 0, 0, 255]);
        var data = Images(image, ImageFiles.Pattern(2, 2, 1));
        var t = EstimatorWorkout.Run(_ctx, _ctx.Transforms.ConvertToGrayscale("Gray", "Image"), data, Invalid());
        var gray = (Image)ViewReader.ReadAll(t.Transform(data), null, "Gray")[0][0]!;
        Assert.AreEqual(1, gray.Channels);
        // round(0.299 * 255), round(0.587 * 255), round(0.114 * 255)
        CollectionAssert.AreEqual(new byte[] { 76, 150, 29 }, gray.Pixels);
    }

    [TestMethod]
    public void Chain_ResizeThenCrop_ShapesFlowThroughTheSchema()
    {
        var data = Images(ImageFiles.Pattern(9, 7), ImageFiles.Pattern(6, 6));
        var chain = _ctx.Transforms.ResizeImages("Image", 8, 8).Append(_ctx.Transforms.CenterCrop("Image", 6, 5));
        var shape = chain.GetOutputSchema(SchemaShape.Create(data.Schema));
        Assert.IsTrue(shape.TryFindColumn("Image", out var column));
        Assert.AreEqual(new ImageDataViewType(5, 6), column.ItemType);
    }
}
