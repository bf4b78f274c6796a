using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Tests.Processing;

[TestClass]
public sealed class ImageWarpTests
{
    private static Image Random(int w, int h, int c, int seed)
    {
        var img = new Image(w, h, c);
        new Random(seed).NextBytes(img.Pixels);
        return img;
    }

    [TestMethod]
    public void Identity_LeavesTheImageUnchanged()
    {
        var img = Random(9, 6, 3, 1);
        foreach (var f in new[] { ResamplingFilter.Bilinear, ResamplingFilter.Nearest })
            CollectionAssert.AreEqual(img.Pixels, ImageWarp.Affine(img, AffineMatrix.Identity, filter: f).Pixels);
    }

    [TestMethod]
    public void QuarterTurn_MatchesAnExplicitRotation()
    {
        var img = Random(8, 8, 1, 2);
        var m = AffineMatrix.About(4, 4, 90, 0, 0, 1, 0, 0);
        Image rotated = ImageWarp.Affine(img, m, filter: ResamplingFilter.Bilinear);
        // Counter-clockwise on screen: the top row becomes the left column, read bottom to top.
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
                Assert.AreEqual(img.Pixels[x * 8 + (7 - y)], rotated.Pixels[y * 8 + x], $"({x},{y})");
    }

    [TestMethod]
    public void IntegerTranslation_ShiftsAndFills()
    {
        var img = Random(6, 5, 3, 3);
        var m = AffineMatrix.About(3, 2.5, 0, 2, 1, 1, 0, 0);
        Image moved = ImageWarp.Affine(img, m, PaddingMode.Constant, 7);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 6; x++)
                for (int c = 0; c < 3; c++)
                {
                    byte expected = x < 2 || y < 1 ? (byte)7 : img.Pixels[((y - 1) * 6 + x - 2) * 3 + c];
                    Assert.AreEqual(expected, moved.Pixels[(y * 6 + x) * 3 + c]);
                }
        Image edge = ImageWarp.Affine(img, m, PaddingMode.Edge);
        Assert.AreEqual(img.Pixels[0], edge.Pixels[0]);
    }

    [TestMethod]
    public void MatrixInverse_RoundTripsPoints()
    {
        var m = AffineMatrix.About(10, 7, 23, 1.5, -2, 1.3, 12, -5);
        var inv = m.Invert();
        var (x, y) = m.Transform(3.25, 8.5);
        var (bx, by) = inv.Transform(x, y);
        Assert.AreEqual(3.25, bx, 1e-9);
        Assert.AreEqual(8.5, by, 1e-9);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AffineMatrix.About(0, 0, 0, 0, 0, 0, 0, 0));
    }
}
