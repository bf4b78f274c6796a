using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Processing;

/// <summary>Geometric and colour-space operations on 8-bit images; each returns a new image.</summary>
public static class ImageOps
{
    /// <summary>The <paramref name="width"/> x <paramref name="height"/> rectangle at (<paramref name="x"/>, <paramref name="y"/>), which must lie inside the image.</summary>
    public static Image Crop(Image image, int x, int y, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > image.Width || y + height > image.Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"Crop ({x}, {y}, {width}x{height}) is not inside the {image.Width}x{image.Height} image.");
        var result = new Image(width, height, image.Channels);
        int c = image.Channels;
        for (int r = 0; r < height; r++)
            image.Row(y + r).Slice(x * c, width * c).CopyTo(result.Row(r));
        return result;
    }

    /// <summary>The centred <paramref name="width"/> x <paramref name="height"/> crop; an image smaller than that is padded with zeros first.</summary>
    public static Image CenterCrop(Image image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width < width || image.Height < height)
        {
            int padX = Math.Max(0, width - image.Width), padY = Math.Max(0, height - image.Height);
            image = Pad(image, padX / 2, padY / 2, padX - padX / 2, padY - padY / 2, PaddingMode.Constant);
        }
        return Crop(image, (image.Width - width) / 2, (image.Height - height) / 2, width, height);
    }

    /// <summary>Pads each side by the given number of pixels.</summary>
    public static Image Pad(Image image, int left, int top, int right, int bottom, PaddingMode mode, byte fill = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (left < 0 || top < 0 || right < 0 || bottom < 0)
            throw new ArgumentOutOfRangeException(nameof(left), "Padding must not be negative.");
        int w = image.Width + left + right, h = image.Height + top + bottom, c = image.Channels;
        var result = new Image(w, h, c);
        for (int y = 0; y < h; y++)
        {
            Span<byte> dst = result.Row(y);
            int sy = MapCoordinate(y - top, image.Height, mode);
            for (int x = 0; x < w; x++)
            {
                int sx = MapCoordinate(x - left, image.Width, mode);
                if (sx < 0 || sy < 0)
                    dst.Slice(x * c, c).Fill(fill);
                else
                    image.Pixels.AsSpan((sy * image.Width + sx) * c, c).CopyTo(dst.Slice(x * c, c));
            }
        }
        return result;
    }

    /// <summary>Mirror image left to right.</summary>
    public static Image FlipHorizontal(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = new Image(image.Width, image.Height, image.Channels);
        int c = image.Channels, w = image.Width;
        for (int y = 0; y < image.Height; y++)
        {
            Span<byte> src = image.Row(y), dst = result.Row(y);
            if (c == 3)
            {
                for (int x = 0, m = 3 * (w - 1); x < w; x++, m -= 3)
                {
                    dst[m] = src[3 * x];
                    dst[m + 1] = src[3 * x + 1];
                    dst[m + 2] = src[3 * x + 2];
                }
                continue;
            }
            for (int x = 0; x < w; x++) src.Slice(x * c, c).CopyTo(dst.Slice((w - 1 - x) * c, c));
        }
        return result;
    }

    /// <summary>Mirror image top to bottom.</summary>
    public static Image FlipVertical(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = new Image(image.Width, image.Height, image.Channels);
        for (int y = 0; y < image.Height; y++) image.Row(y).CopyTo(result.Row(image.Height - 1 - y));
        return result;
    }

    /// <summary>
    /// One-channel luma, L = (299 R + 587 G + 114 B) / 1000 rounded (ITU-R BT.601, as Pillow's "L" conversion);
    /// alpha is dropped; a gray image is returned as a copy.
    /// </summary>
    public static Image ToGrayscale(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Channels == 1) return image.Clone();
        var result = new Image(image.Width, image.Height, 1);
        int c = image.Channels;
        byte[] src = image.Pixels, dst = result.Pixels;
        for (int i = 0; i < dst.Length; i++)
        {
            int p = i * c;
            dst[i] = (byte)((src[p] * 19595 + src[p + 1] * 38470 + src[p + 2] * 7471 + 0x8000) >> 16);
        }
        return result;
    }

    /// <summary>The image with <paramref name="channels"/> channels: gray is replicated to RGB, alpha dropped or set opaque.</summary>
    public static Image ConvertChannels(Image image, int channels)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (channels == image.Channels) return image;
        if (channels == 1) return ToGrayscale(image);
        var result = new Image(image.Width, image.Height, channels);
        int n = image.Width * image.Height, sc = image.Channels;
        byte[] src = image.Pixels, dst = result.Pixels;
        for (int i = 0; i < n; i++)
        {
            int s = i * sc, d = i * channels;
            if (sc == 1)
            {
                dst[d] = dst[d + 1] = dst[d + 2] = src[s];
            }
            else
            {
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
            if (channels == 4) dst[d + 3] = sc == 4 ? src[s + 3] : (byte)255;
        }
        return result;
    }

    /// <summary>Maps a coordinate outside [0, size) by the padding mode; -1 means "use the constant fill".</summary>
    internal static int MapCoordinate(int i, int size, PaddingMode mode)
    {
        if ((uint)i < (uint)size) return i;
        switch (mode)
        {
            case PaddingMode.Constant:
                return -1;
            case PaddingMode.Edge:
                return i < 0 ? 0 : size - 1;
            default:
                if (size == 1) return 0;
                int period = 2 * (size - 1);
                i %= period;
                if (i < 0) i += period;
                return i < size ? i : period - i;
        }
    }
}
