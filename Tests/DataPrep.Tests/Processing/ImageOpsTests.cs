using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Tests.Processing;

[TestClass]
public sealed class ImageOpsTests
{
    private static Image Numbered(int w, int h, int c)
    {
        var img = new Image(w, h, c);
        for (int i = 0; i < img.Pixels.Length; i++) img.Pixels[i] = (byte)(i % 251);
        return img;
    }

    private static byte At(Image img, int x, int y, int ch) => img.Pixels[(y * img.Width + x) * img.Channels + ch];

    [TestMethod]
    public void Crop_CopiesTheRectangle_AndRejectsOutside()
    {
        var img = Numbered(7, 5, 3);
        var crop = ImageOps.Crop(img, 2, 1, 4, 3);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++)
                for (int c = 0; c < 3; c++)
                    Assert.AreEqual(At(img, x + 2, y + 1, c), At(crop, x, y, c));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageOps.Crop(img, 4, 0, 4, 1));
    }

    [TestMethod]
    public void CenterCrop_CentresAndPadsSmallImages()
    {
        var img = Numbered(6, 6, 1);
        var crop = ImageOps.CenterCrop(img, 2, 2);
        Assert.AreEqual(At(img, 2, 2, 0), At(crop, 0, 0, 0));
        var padded = ImageOps.CenterCrop(img, 8, 6);
        Assert.AreEqual(0, At(padded, 0, 0, 0));
        Assert.AreEqual(At(img, 0, 0, 0), At(padded, 1, 0, 0));
    }

    [TestMethod]
    public void Pad_ModesFollowNumpyDefinitions()
    {
        var img = new Image(4, 1, 1, [1, 2, 3, 4]);
        CollectionAssert.AreEqual(new byte[] { 3, 2, 1, 2, 3, 4, 3, 2 }, ImageOps.Pad(img, 2, 0, 2, 0, PaddingMode.Reflect).Pixels);
        CollectionAssert.AreEqual(new byte[] { 1, 1, 1, 2, 3, 4, 4, 4 }, ImageOps.Pad(img, 2, 0, 2, 0, PaddingMode.Edge).Pixels);
        CollectionAssert.AreEqual(new byte[] { 9, 9, 1, 2, 3, 4, 9, 9 }, ImageOps.Pad(img, 2, 0, 2, 0, PaddingMode.Constant, 9).Pixels);
        var tall = ImageOps.Pad(img, 0, 1, 0, 1, PaddingMode.Reflect);
        Assert.AreEqual(3, tall.Height);
        CollectionAssert.AreEqual(img.Pixels, tall.Row(0).ToArray()); // a one-row image reflects onto itself
    }

    [TestMethod]
    public void Flips_AreInvolutions_AndMoveTheRightPixels()
    {
        var img = Numbered(5, 3, 4);
        var h = ImageOps.FlipHorizontal(img);
        var v = ImageOps.FlipVertical(img);
        Assert.AreEqual(At(img, 4, 1, 2), At(h, 0, 1, 2));
        Assert.AreEqual(At(img, 3, 0, 3), At(v, 3, 2, 3));
        CollectionAssert.AreEqual(img.Pixels, ImageOps.FlipHorizontal(h).Pixels);
        CollectionAssert.AreEqual(img.Pixels, ImageOps.FlipVertical(v).Pixels);
    }

    [TestMethod]
    public void Grayscale_UsesBt601Luma()
    {
        var img = new Image(3, 1, 3, [255, 0, 0, 0, 255, 0, 10, 20, 30]);
        var gray = ImageOps.ToGrayscale(img);
        Assert.AreEqual(1, gray.Channels);
        Assert.AreEqual((byte)Math.Round(255 * 0.299), gray.Pixels[0]);
        Assert.AreEqual((byte)Math.Round(255 * 0.587), gray.Pixels[1]);
        Assert.AreEqual((byte)Math.Round(10 * 0.299 + 20 * 0.587 + 30 * 0.114), gray.Pixels[2]);
    }

    [TestMethod]
    public void ConvertChannels_ReplicatesGrayAndSetsOpaqueAlpha()
    {
        var gray = new Image(2, 1, 1, [7, 200]);
        var rgba = ImageOps.ConvertChannels(gray, 4);
        CollectionAssert.AreEqual(new byte[] { 7, 7, 7, 255, 200, 200, 200, 255 }, rgba.Pixels);
        var rgb = ImageOps.ConvertChannels(rgba, 3);
        CollectionAssert.AreEqual(new byte[] { 7, 7, 7, 200, 200, 200 }, rgb.Pixels);
    }
}
