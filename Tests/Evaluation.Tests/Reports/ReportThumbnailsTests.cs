using MlPipelines.Data;
using MlPipelines.Evaluation.Reports;

namespace MlPipelines.Evaluation.Tests.Reports;

/// <summary>Thumbnails from planar float pixels and from data views.</summary>
[TestClass]
public sealed class ReportThumbnailsTests
{
    [TestMethod]
    public void FromPlanes_InterleavesAndScalesMinToMax()
    {
        // [3, 1, 2]: r = 0 5, g = 1 5, b = 0 0; min 0, max 5 -> (0, 51, 0), (255, 255, 0).
        var image = ReportImage.FromPlanes([0, 5, 1, 5, 0, 0], 3, 1, 2);
        Assert.AreEqual(2, image.Width);
        Assert.AreEqual(1, image.Height);
        CollectionAssert.AreEqual(new byte[] { 0, 51, 0, 255, 255, 0 }, image.Pixels);
        CollectionAssert.AreEqual(new byte[] { 128, 128 }, ReportImage.FromPlanes([-0.5f, -0.5f], 1, 1, 2).Pixels, "constant: mid-gray");
    }

    [TestMethod]
    public void Downscale_AveragesBoxes_AndKeepsSmallImages()
    {
        var image = new ReportImage(4, 2, 1, [0, 2, 4, 6, 8, 10, 12, 14]);
        var small = image.Downscale(2);
        Assert.AreEqual(2, small.Width);
        Assert.AreEqual(1, small.Height);
        CollectionAssert.AreEqual(new byte[] { 5, 9 }, small.Pixels); // (0+2+8+10)/4, (4+6+12+14)/4
        Assert.AreSame(image, image.Downscale(4));
        // 3 wide by factor 2: the last box holds one column.
        var odd = new ReportImage(3, 1, 1, [10, 20, 31]).Downscale(2);
        CollectionAssert.AreEqual(new byte[] { 15, 31 }, odd.Pixels);
    }

    [TestMethod]
    public void FromPixelColumn_ReadsTheRowsAskedFor()
    {
        // Five rows of [1, 1, 2] pixels: row i is (i, 2i) -> scaled (0, 255) for every row but 0 (constant: 128).
        var flat = Enumerable.Range(0, 5).SelectMany(i => new float[] { i, 2 * i }).ToArray();
        var data = new InMemoryDataViewBuilder()
            .AddVectorColumn("Pixels", new VectorDataViewType(NumberDataViewType.Single, 1, 1, 2), flat)
            .ToDataView();
        var thumbs = ReportThumbnails.FromPixelColumn(data, "Pixels", [3, 0, 9, -1]);
        CollectionAssert.AreEquivalent(new long[] { 0, 3 }, thumbs.Keys.ToArray(), "rows past the end and negative ids are left out");
        CollectionAssert.AreEqual(new byte[] { 0, 255 }, thumbs[3].Pixels);
        CollectionAssert.AreEqual(new byte[] { 128, 128 }, thumbs[0].Pixels);
    }

    [TestMethod]
    public void FromPixelColumn_ChecksTheColumn()
    {
        var data = new InMemoryDataViewBuilder()
            .AddVectorColumn("Flat", new VectorDataViewType(NumberDataViewType.Single, 4), new float[4])
            .ToDataView();
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() => ReportThumbnails.FromPixelColumn(data, "Flat", [0]));
        Assert.AreEqual("Flat", e.ColumnName);
        e = Assert.ThrowsExactly<SchemaMismatchException>(() => ReportThumbnails.FromPixelColumn(data, "Pixels", [0]));
        Assert.IsNull(e.ActualType);
    }
}
