using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.DataPrep.Tests.Pipelines;

[TestClass]
public sealed class PredictionTests
{
    public sealed class PathInput
    {
        public string ImagePath { get; set; } = "";
    }

    public sealed class PixelOutput
    {
        [VectorType(3, 2, 2)]
        public float[] Pixels { get; set; } = [];
    }

    public sealed class ImageRow
    {
        [ImageType(2, 3)]
        public Image Image { get; set; } = null!;

        public string Name { get; set; } = "";
    }

    [TestMethod]
    public void PredictionEngine_LoadsResizesAndExtracts_OneFileAtATime()
    {
        var ctx = new MLContext(seed: 1);
        var image = ImageFiles.Pattern(4, 4);
        string root = ImageFiles.ClassFolders(("a", "1.png", image), ("b", "2.png", ImageFiles.Pattern(6, 3)));
        var data = ctx.Data.LoadFromImageFolder(root, new() { AbsolutePaths = true });
        var model = ctx.Transforms.LoadImages("Image", null, "ImagePath")
            .Append(ctx.Transforms.ResizeImages("Image", 2, 2, resizing: DataPrep.Transforms.ImageResizeMode.Fill))
            .Append(ctx.Transforms.ExtractPixels("Pixels", "Image"))
            .Fit(data);
        using var engine = ctx.Model.CreatePredictionEngine<PathInput, PixelOutput>(model);
        var result = engine.Predict(new PathInput { ImagePath = Path.Combine(root, "a", "1.png") });
        var expected = PixelExtractor.Extract(ImageResizer.Resize(image, 2, 2), new PixelExtractionOptions());
        CollectionAssert.AreEqual(expected, result.Pixels);
        var second = engine.Predict(new PathInput { ImagePath = Path.Combine(root, "b", "2.png") });
        CollectionAssert.AreEqual(PixelExtractor.Extract(ImageResizer.Resize(ImageFiles.Pattern(6, 3), 2, 2), new PixelExtractionOptions()), second.Pixels,
            "the next prediction decodes the next file, not a cached one");
    }

    [TestMethod]
    public void ImageTypeAttribute_GivesUserClassMembersAKnownSize_AndImagesReadBack()
    {
        var ctx = new MLContext(seed: 1);
        var rows = new[] { new ImageRow { Image = ImageFiles.Pattern(3, 2), Name = "x" }, new ImageRow { Image = ImageFiles.Pattern(3, 2, seed: 4), Name = "y" } };
        var view = ctx.Data.LoadFromEnumerable(rows);
        Assert.AreEqual(new ImageDataViewType(2, 3), view.Schema["Image"].Type);
        var back = ctx.Data.CreateEnumerable<ImageRow>(view, reuseRowObject: false).ToArray();
        Assert.AreSame(rows[1].Image, back[1].Image);
        var pixels = ctx.Transforms.ExtractPixels("Pixels", "Image").Fit(view).Transform(view);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3, 2, 3), pixels.Schema["Pixels"].Type);
        Assert.AreEqual(18, ((float[])ViewReader.ReadAll(pixels, null, "Pixels")[0][0]!).Length);
    }
}
