using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Processing;

/// <summary>Affine warps with bilinear or nearest sampling and a choice of what fills the uncovered area.</summary>
public static class ImageWarp
{
    /// <summary>
    /// Warps <paramref name="image"/> by <paramref name="forward"/> (source to destination coordinates) into an image of the same size.
    /// </summary>
    public static Image Affine(Image image, AffineMatrix forward, PaddingMode fillMode = PaddingMode.Constant, byte fill = 0,
        ResamplingFilter filter = ResamplingFilter.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(image);
        AffineMatrix inv = forward.Invert();
        int w = image.Width, h = image.Height, c = image.Channels;
        var result = new Image(w, h, c);
        byte[] src = image.Pixels, dst = result.Pixels;
        bool nearest = filter == ResamplingFilter.Nearest;
        Span<float> acc = stackalloc float[4];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                // Destination pixel centre back to source coordinates, then to sample-index space.
                (double sxc, double syc) = inv.Transform(x + 0.5, y + 0.5);
                double sx = sxc - 0.5, sy = syc - 0.5;
                int o = (y * w + x) * c;
                if (nearest)
                {
                    int ix = ImageOps.MapCoordinate((int)Math.Round(sx), w, fillMode);
                    int iy = ImageOps.MapCoordinate((int)Math.Round(sy), h, fillMode);
                    for (int ch = 0; ch < c; ch++) dst[o + ch] = ix < 0 || iy < 0 ? fill : src[(iy * w + ix) * c + ch];
                    continue;
                }
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                float fx = (float)(sx - x0), fy = (float)(sy - y0);
                acc.Clear();
                for (int k = 0; k < 4; k++)
                {
                    int dx = k & 1, dy = k >> 1;
                    float wgt = (dx == 1 ? fx : 1 - fx) * (dy == 1 ? fy : 1 - fy);
                    if (wgt == 0) continue;
                    int ix = ImageOps.MapCoordinate(x0 + dx, w, fillMode);
                    int iy = ImageOps.MapCoordinate(y0 + dy, h, fillMode);
                    for (int ch = 0; ch < c; ch++)
                        acc[ch] += wgt * (ix < 0 || iy < 0 ? fill : src[(iy * w + ix) * c + ch]);
                }
                for (int ch = 0; ch < c; ch++) dst[o + ch] = (byte)Math.Clamp((int)MathF.Round(acc[ch]), 0, 255);
            }
        }
        return result;
    }
}
