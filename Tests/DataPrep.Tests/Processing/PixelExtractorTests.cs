using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Tests.Processing;

[TestClass]
public sealed class PixelExtractorTests
{
    [TestMethod]
    public void Extract_WritesNormalisedPlanesInOrder()
    {
        var img = new Image(2, 1, 3, [10, 20, 30, 40, 50, 60]);
        var options = new PixelExtractionOptions { Mean = [0.5f, 0.25f, 0f], Std = [0.5f, 0.25f, 2f] };
        float[] chw = PixelExtractor.Extract(img, options);
        float[] expected =
        [
            (10 / 255f - 0.5f) / 0.5f, (40 / 255f - 0.5f) / 0.5f,
            (20 / 255f - 0.25f) / 0.25f, (50 / 255f - 0.25f) / 0.25f,
            30 / 255f / 2f, 60 / 255f / 2f,
        ];
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], chw[i], 1e-6f, $"element {i}");
    }

    [TestMethod]
    public void Extract_BgrAndInterleaved()
    {
        var img = new Image(2, 1, 3, [1, 2, 3, 4, 5, 6]);
        var options = new PixelExtractionOptions { Order = ColorOrder.Bgr, Scale = 1, Interleave = true };
        CollectionAssert.AreEqual(new float[] { 3, 2, 1, 6, 5, 4 }, PixelExtractor.Extract(img, options));
        var planar = options with { Interleave = false };
        CollectionAssert.AreEqual(new float[] { 3, 6, 2, 5, 1, 4 }, PixelExtractor.Extract(img, planar));
    }

    [TestMethod]
    public void ToImage_InvertsExtract()
    {
        var img = new Image(5, 4, 3);
        new Random(11).NextBytes(img.Pixels);
        foreach (var options in new[] { PixelExtractionOptions.ImageNet, new PixelExtractionOptions { Order = ColorOrder.Bgr, Interleave = true } })
        {
            float[] x = PixelExtractor.Extract(img, options);
            CollectionAssert.AreEqual(img.Pixels, PixelExtractor.ToImage(x, 5, 4, options).Pixels);
        }
    }

    [TestMethod]
    public void Extract_ConvertsChannelCounts()
    {
        var rgb = new Image(1, 1, 3, [255, 255, 255]);
        float[] gray = PixelExtractor.Extract(rgb, new PixelExtractionOptions { Channels = 1 });
        Assert.AreEqual(1f, gray[0], 1e-6f);
        var g = new Image(1, 1, 1, [51]);
        float[] replicated = PixelExtractor.Extract(g, new PixelExtractionOptions());
        Assert.AreEqual(3, replicated.Length);
        Assert.IsTrue(replicated.All(v => Math.Abs(v - 0.2f) < 1e-6f));
    }

    [TestMethod]
    public void BadOptionsAndSizes_AreRejected()
    {
        var img = new Image(2, 2, 3);
        Assert.ThrowsExactly<ArgumentException>(() => PixelExtractor.Extract(img, new PixelExtractionOptions(), new float[5]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PixelExtractor.Extract(img, new PixelExtractionOptions { Std = [0f] }));
        Assert.ThrowsExactly<ArgumentException>(() => PixelExtractor.Extract(img, new PixelExtractionOptions { Mean = [0f, 1f] }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PixelExtractor.Extract(img, new PixelExtractionOptions { Channels = 2 }));
    }
}
