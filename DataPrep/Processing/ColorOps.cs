using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Processing;

/// <summary>
/// Photometric operations on 8-bit images with torchvision's definitions (blend with a degenerate image:
/// black for brightness, the mean gray for contrast, the grayscale image for saturation). Alpha is kept.
/// </summary>
public static class ColorOps
{
    /// <summary>Multiplies every colour value by <paramref name="factor"/> (0 gives black, 1 the original).</summary>
    public static Image AdjustBrightness(Image image, double factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        Span<byte> table = stackalloc byte[256];
        for (int v = 0; v < 256; v++) table[v] = ToByte(v * factor);
        return MapTable(image, table);
    }

    /// <summary>Blends with the image's mean luma: factor 0 gives flat gray, 1 the original.</summary>
    public static Image AdjustContrast(Image image, double factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        Image gray = ImageOps.ToGrayscale(image);
        long sum = 0;
        foreach (byte b in gray.Pixels) sum += b;
        double mean = (double)sum / gray.Pixels.Length;
        Span<byte> table = stackalloc byte[256];
        for (int v = 0; v < 256; v++) table[v] = ToByte(mean + factor * (v - mean));
        return MapTable(image, table);
    }

    /// <summary>Blends with the grayscale image: factor 0 gives gray, 1 the original, above 1 more saturated.</summary>
    public static Image AdjustSaturation(Image image, double factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Channels == 1) return image.Clone();
        Image gray = ImageOps.ToGrayscale(image);
        var result = new Image(image.Width, image.Height, image.Channels);
        int c = image.Channels;
        ReadOnlySpan<byte> src = image.Pixels, g = gray.Pixels;
        Span<byte> dst = result.Pixels;
        for (int pixel = 0; pixel < g.Length; pixel++)
        {
            double y = g[pixel];
            int i = pixel * c;
            dst[i] = ToByte(y + factor * (src[i] - y));
            dst[i + 1] = ToByte(y + factor * (src[i + 1] - y));
            dst[i + 2] = ToByte(y + factor * (src[i + 2] - y));
            if (c == 4) dst[i + 3] = src[i + 3];
        }
        return result;
    }

    /// <summary>Rotates hue by <paramref name="shift"/> of a full turn (in [-0.5, 0.5]) in HSV space.</summary>
    public static Image AdjustHue(Image image, double shift)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (shift is < -0.5 or > 0.5) throw new ArgumentOutOfRangeException(nameof(shift), shift, "Hue shift must lie in [-0.5, 0.5].");
        Image result = image.Clone();
        if (image.Channels == 1) return result;
        int c = image.Channels;
        byte[] px = result.Pixels;
        for (int i = 0; i < px.Length; i += c)
        {
            double r = px[i] / 255.0, g = px[i + 1] / 255.0, b = px[i + 2] / 255.0;
            double max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b)), delta = max - min;
            if (delta == 0) continue;
            double h = max == r ? (g - b) / delta : max == g ? 2 + (b - r) / delta : 4 + (r - g) / delta;
            h = h / 6 + shift;
            h -= Math.Floor(h);
            double s = delta / max, v = max;
            (r, g, b) = FromHsv(h, s, v);
            px[i] = ToByte(r * 255);
            px[i + 1] = ToByte(g * 255);
            px[i + 2] = ToByte(b * 255);
        }
        return result;
    }

    /// <summary>Blends with a 3x3-smoothed copy (Pillow's SMOOTH kernel, border pixels kept): 0 blurs, 1 is the original, 2 sharpens.</summary>
    public static Image AdjustSharpness(Image image, double factor)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height, c = image.Channels;
        if (w < 3 || h < 3) return image.Clone();
        var smooth = image.Clone();
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
                for (int ch = 0; ch < Math.Min(c, 3); ch++)
                {
                    int sum = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                            sum += image.Pixels[((y + dy) * w + x + dx) * c + ch] * (dx == 0 && dy == 0 ? 5 : 1);
                    smooth.Pixels[(y * w + x) * c + ch] = ToByte(sum / 13.0);
                }
        return Map(image, (v, pixel, ch) => smooth.Pixels[pixel * c + ch] + factor * (v - smooth.Pixels[pixel * c + ch]));
    }

    /// <summary>Keeps the top <paramref name="bits"/> bits of every colour value.</summary>
    public static Image Posterize(Image image, int bits)
    {
        if (bits is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(bits), bits, "Bits must lie in 1..8.");
        byte mask = (byte)(0xFF << (8 - bits));
        return Map(image, (v, _, _) => (int)v & mask);
    }

    /// <summary>Inverts every colour value at or above <paramref name="threshold"/>.</summary>
    public static Image Solarize(Image image, int threshold) =>
        Map(image, (v, _, _) => v >= threshold ? 255 - v : v);

    /// <summary>Stretches each channel so its darkest value becomes 0 and its brightest 255.</summary>
    public static Image AutoContrast(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int c = image.Channels;
        Span<int> lo = stackalloc int[4], hi = stackalloc int[4];
        lo.Fill(255);
        hi.Clear();
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            int ch = i % c;
            lo[ch] = Math.Min(lo[ch], image.Pixels[i]);
            hi[ch] = Math.Max(hi[ch], image.Pixels[i]);
        }
        int[] l = lo.ToArray(), hh = hi.ToArray();
        return Map(image, (v, _, ch) => hh[ch] == l[ch] ? v : (v - l[ch]) * 255.0 / (hh[ch] - l[ch]));
    }

    /// <summary>Histogram equalisation of each colour channel (Pillow's ImageOps.equalize definition).</summary>
    public static Image Equalize(Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int c = image.Channels, colour = Math.Min(c, 3);
        var lut = new byte[colour, 256];
        for (int ch = 0; ch < colour; ch++)
        {
            var hist = new int[256];
            for (int i = ch; i < image.Pixels.Length; i += c) hist[image.Pixels[i]]++;
            int last = 255;
            while (last > 0 && hist[last] == 0) last--;
            int total = hist.Sum(), step = (total - hist[last]) / 255;
            for (int v = 0; v < 256; v++) lut[ch, v] = (byte)v;
            if (step == 0) continue;
            int n = step / 2;
            for (int v = 0; v < 256; v++)
            {
                lut[ch, v] = (byte)Math.Min(255, n / step);
                n += hist[v];
            }
        }
        return Map(image, (v, _, ch) => lut[ch, (int)v]);
    }

    /// <summary>Gaussian blur with standard deviation <paramref name="sigma"/> (kernel radius ceil(3 sigma), reflected borders).</summary>
    public static Image GaussianBlur(Image image, double sigma)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "Sigma must be positive.");
        int radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var kernel = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += kernel[i + radius] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < kernel.Length; i++) kernel[i] = (float)(kernel[i] / sum);
        int w = image.Width, h = image.Height, c = image.Channels;
        var temp = new float[image.Pixels.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < c; ch++)
                {
                    float acc = 0;
                    for (int k = -radius; k <= radius; k++)
                        acc += kernel[k + radius] * image.Pixels[(y * w + ImageOps.MapCoordinate(x + k, w, PaddingMode.Reflect)) * c + ch];
                    temp[(y * w + x) * c + ch] = acc;
                }
        var result = new Image(w, h, c);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < c; ch++)
                {
                    float acc = 0;
                    for (int k = -radius; k <= radius; k++)
                        acc += kernel[k + radius] * temp[(ImageOps.MapCoordinate(y + k, h, PaddingMode.Reflect) * w + x) * c + ch];
                    result.Pixels[(y * w + x) * c + ch] = ToByte(acc);
                }
        return result;
    }

    /// <summary>Adds a constant RGB offset (in 0..255 units) to every pixel, as AlexNet's PCA lighting noise does.</summary>
    public static Image AddRgbOffset(Image image, double r, double g, double b)
    {
        double[] offset = [r, g, b];
        return image.Channels == 1
            ? Map(image, (v, _, _) => v + (r + g + b) / 3)
            : Map(image, (v, _, ch) => v + offset[ch]);
    }

    /// <summary>Maps every colour value through <paramref name="table"/>; alpha is copied.</summary>
    private static Image MapTable(Image image, ReadOnlySpan<byte> table)
    {
        var result = new Image(image.Width, image.Height, image.Channels);
        ReadOnlySpan<byte> src = image.Pixels;
        Span<byte> dst = result.Pixels;
        if (image.Channels == 4)
        {
            for (int i = 0; i < src.Length; i += 4)
            {
                dst[i] = table[src[i]];
                dst[i + 1] = table[src[i + 1]];
                dst[i + 2] = table[src[i + 2]];
                dst[i + 3] = src[i + 3];
            }
        }
        else
        {
            for (int i = 0; i < src.Length; i++) dst[i] = table[src[i]];
        }
        return result;
    }

    /// <summary>Applies <paramref name="f"/>(value, pixel index, channel) to every colour value; alpha is copied.</summary>
    private static Image Map(Image image, Func<double, int, int, double> f)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = new Image(image.Width, image.Height, image.Channels);
        int c = image.Channels;
        byte[] src = image.Pixels, dst = result.Pixels;
        for (int i = 0; i < src.Length; i++)
        {
            int ch = i % c;
            dst[i] = ch == 3 ? src[i] : ToByte(f(src[i], i / c, ch));
        }
        return result;
    }

    private static byte ToByte(double v) => (byte)Math.Clamp((int)Math.Round(v), 0, 255);

    private static (double R, double G, double B) FromHsv(double h, double s, double v)
    {
        double h6 = h * 6;
        int sector = (int)Math.Floor(h6) % 6;
        double f = h6 - Math.Floor(h6);
        double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        return sector switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
    }
}
