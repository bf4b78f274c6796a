using System.Buffers;
using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.Pipelines.Tests.Helpers;
using MlPipelines.Testing;

namespace MlPipelines.DataPrep.Tests.Pipelines;

[TestClass]
public sealed class ImageColumnTypeTests
{
    [TestMethod]
    public void ImageType_RegistersItself_AndItsArgumentRoundTrips()
    {
        var ctx = new MLContext(seed: 1);
        var custom = ctx.ComponentCatalog.FindColumnType(typeof(Image));
        Assert.IsInstanceOfType<ImageColumnType>(custom);
        Assert.AreSame(custom, ctx.ComponentCatalog.FindColumnType("mlp.image"));
        Assert.AreEqual("224x160", custom.FormatType(new ImageDataViewType(160, 224)));
        Assert.AreEqual(new ImageDataViewType(160, 224), custom.ParseType("224x160"));
        Assert.AreEqual(string.Empty, custom.FormatType(new ImageDataViewType()));
        Assert.AreEqual(new ImageDataViewType(), custom.ParseType(""));
        foreach (string bad in new[] { "224", "x160", "224x", "-1x2", "0x5", "1x2x3", "99999999x1", " 1x2" })
            Assert.ThrowsExactly<FormatException>(() => custom.ParseType(bad), bad);
    }

    [TestMethod]
    public void ImageType_EqualityIsBySize()
    {
        Assert.AreEqual(new ImageDataViewType(2, 3), new ImageDataViewType(2, 3));
        Assert.AreNotEqual(new ImageDataViewType(2, 3), new ImageDataViewType(3, 2));
        Assert.AreNotEqual(new ImageDataViewType(), new ImageDataViewType(3, 2));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageDataViewType(0, 3));
        Assert.AreEqual("Image<3x2>", new ImageDataViewType(2, 3).ToString());
    }

    [TestMethod]
    public void Serialize_WritesHeaderAndPixels_AndReadsThemBack()
    {
        var type = new ImageColumnType();
        var image = ImageFiles.Pattern(3, 2, 4);
        var buffer = new ArrayBufferWriter<byte>();
        type.Serialize(image, buffer);
        Assert.AreEqual(12 + 24, buffer.WrittenCount);
        CollectionAssert.AreEqual(new byte[] { 3, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0 }, buffer.WrittenSpan[..12].ToArray());
        var back = type.Deserialize(buffer.WrittenSpan);
        Assert.AreEqual(image, back);
        Assert.AreNotSame(image, back);
        Assert.ThrowsExactly<InvalidDataException>(() => type.Deserialize(buffer.WrittenSpan[..20]));
        Assert.AreEqual(64 + 24, type.EstimateSize(image));
    }

    [TestMethod]
    [DataRow(CacheMode.Memory, 1L << 30)]
    [DataRow(CacheMode.Disk, 1L << 30)]
    [DataRow(CacheMode.Auto, 200L)]
    public void DataCache_HoldsImageColumns_InMemoryOnDiskAndSpilling(CacheMode mode, long maxMemoryBytes)
    {
        var ctx = new MLContext(seed: 1);
        var images = Enumerable.Range(0, 5).Select(i => (ImageFiles.Pattern(3 + i, 2, 3, i), i % 2 == 0 ? "even" : "odd")).ToArray();
        var source = ctx.Data.LoadFromImages(images);
        var cached = ctx.Data.Cache(source, new CacheOptions { Mode = mode, MaxMemoryBytes = maxMemoryBytes, SpillFolder = TestPaths.NewTempFolder("cache") });
        var rows = ViewReader.ReadAll(cached, null, "Image", "Label");
        for (int i = 0; i < images.Length; i++) Assert.AreEqual(images[i].Item1, rows[i][0], $"row {i}");
        var shuffled = ViewReader.ReadAll(cached, new Random(3), "Image");
        CollectionAssert.AreEquivalent(images.Select(x => x.Item1).ToArray(), shuffled.Select(r => (Image)r[0]!).ToArray());
        ((IDisposable)cached).Dispose();
    }

    [TestMethod]
    public void Images_CompareByContent()
    {
        var a = ImageFiles.Pattern(2, 2);
        Assert.AreEqual(a, a.Clone());
        Assert.AreEqual(a.GetHashCode(), a.Clone().GetHashCode());
        var b = a.Clone();
        b.Pixels[5] ^= 1;
        Assert.AreNotEqual(a, b);
        Assert.AreNotEqual(a, ImageFiles.Pattern(4, 1), "same bytes, other shape");
    }
}
