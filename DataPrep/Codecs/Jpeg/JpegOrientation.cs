using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// Applies an EXIF orientation (1..8) so that the image appears upright: 2 mirror left-right, 3 rotate 180,
/// 4 mirror top-bottom, 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise.
/// </summary>
internal static class JpegOrientation
{
    /// <summary>The upright image: <paramref name="image"/> itself for orientation 1, otherwise a new image.</summary>
    public static Image Apply(Image image, int orientation)
    {
        if (orientation is < 2 or > 8) return image;
        int w = image.Width, h = image.Height, ch = image.Channels;
        bool swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        byte[] src = image.Pixels;
        byte[] dst = GC.AllocateUninitializedArray<byte>(src.Length);

        // Output pixel (x, y) comes from source (sx, sy) = (x0 + x * dxx + y * dxy, y0 + x * dyx + y * dyy).
        (int x0, int dxx, int dxy, int y0, int dyx, int dyy) = orientation switch
        {
            2 => (w - 1, -1, 0, 0, 0, 1),
            3 => (w - 1, -1, 0, h - 1, 0, -1),
            4 => (0, 1, 0, h - 1, 0, -1),
            5 => (0, 0, 1, 0, 1, 0),
            6 => (0, 0, 1, h - 1, -1, 0),
            7 => (w - 1, 0, -1, h - 1, -1, 0),
            _ => (w - 1, 0, -1, 0, 1, 0),
        };

        int step = ((dyx * w) + dxx) * ch; // source offset change per output x
        for (int y = 0; y < oh; y++)
        {
            int sx = x0 + (y * dxy), sy = y0 + (y * dyy);
            int s = ((sy * w) + sx) * ch;
            int d = y * ow * ch;
            if (ch == 3)
            {
                for (int x = 0; x < ow; x++, s += step, d += 3)
                {
                    dst[d] = src[s];
                    dst[d + 1] = src[s + 1];
                    dst[d + 2] = src[s + 2];
                }
            }
            else
            {
                for (int x = 0; x < ow; x++, s += step, d += ch)
                    src.AsSpan(s, ch).CopyTo(dst.AsSpan(d, ch));
            }
        }

        return new Image(ow, oh, ch, dst);
    }
}
