namespace MlPipelines.DataPrep.Codecs.Png;

/// <summary>
/// Turns unfiltered PNG scanlines into 8-bit output pixels: expands 1/2/4-bit gray to 8 bits by
/// bit replication (v x 255 / (2^d - 1), as libpng's png_set_expand_gray_1_2_4_to_8), reduces 16-bit
/// samples to their high byte (as libpng's png_set_strip_16), looks up palettes, widens gray+alpha to RGBA
/// and turns a tRNS key into an alpha channel (compared at the file's full bit depth, before reduction).
/// </summary>
internal sealed class PngRowConverter
{
    private readonly PngStructure _png;
    private readonly int _outChannels;

    public PngRowConverter(PngStructure png)
    {
        _png = png;
        _outChannels = png.OutputChannels;
    }

    /// <summary>
    /// Writes <paramref name="count"/> pixels of <paramref name="raw"/> into <paramref name="outRow"/> at
    /// x = <paramref name="x0"/>, <paramref name="x0"/> + <paramref name="dx"/>, ... (dx &gt; 1 for Adam7 passes).
    /// </summary>
    public void Convert(ReadOnlySpan<byte> raw, int count, Span<byte> outRow, int x0, int dx)
    {
        PngHeader h = _png.Header;
        int oc = _outChannels;
        int step = dx * oc;
        int o = x0 * oc;
        switch (h.ColorType)
        {
            case PngHeader.Palette:
                ConvertPalette(raw, count, outRow, o, step, h.BitDepth);
                break;
            case PngHeader.Gray when h.BitDepth < 8:
                ConvertLowGray(raw, count, outRow, o, step, h.BitDepth);
                break;
            case PngHeader.Gray:
                ConvertGray(raw, count, outRow, o, step, h.BitDepth == 16);
                break;
            case PngHeader.Rgb:
                ConvertRgb(raw, count, outRow, o, step, h.BitDepth == 16);
                break;
            case PngHeader.GrayAlpha:
                {
                    int bytes = h.BitDepth / 8; // 1 or 2 per sample; the high byte comes first
                    for (int i = 0; i < count; i++, o += step)
                    {
                        byte g = raw[i * 2 * bytes], a = raw[((i * 2) + 1) * bytes];
                        outRow[o] = g; outRow[o + 1] = g; outRow[o + 2] = g; outRow[o + 3] = a;
                    }

                    break;
                }

            default: // RGBA
                {
                    int bytes = h.BitDepth / 8;
                    for (int i = 0; i < count; i++, o += step)
                        for (int c = 0; c < 4; c++) outRow[o + c] = raw[((i * 4) + c) * bytes];
                    break;
                }
        }
    }

    private void ConvertPalette(ReadOnlySpan<byte> raw, int count, Span<byte> outRow, int o, int step, int depth)
    {
        ReadOnlySpan<byte> pal = _png.Palette;
        int oc = _outChannels;
        int mask = (1 << depth) - 1;
        for (int i = 0; i < count; i++, o += step)
        {
            int index = depth == 8 ? raw[i] : Sample(raw, i, depth, mask);
            int p = index * 4;
            outRow[o] = pal[p];
            outRow[o + 1] = pal[p + 1];
            outRow[o + 2] = pal[p + 2];
            if (oc == 4) outRow[o + 3] = pal[p + 3];
        }
    }

    private void ConvertLowGray(ReadOnlySpan<byte> raw, int count, Span<byte> outRow, int o, int step, int depth)
    {
        int mask = (1 << depth) - 1;
        int scale = 255 / mask; // 255, 85 or 17: exact bit replication
        bool alpha = _outChannels == 4;
        int key = _png.KeyGray;
        for (int i = 0; i < count; i++, o += step)
        {
            int s = Sample(raw, i, depth, mask);
            byte v = (byte)(s * scale);
            if (!alpha)
            {
                outRow[o] = v;
                continue;
            }

            outRow[o] = v; outRow[o + 1] = v; outRow[o + 2] = v;
            outRow[o + 3] = s == key ? (byte)0 : (byte)255;
        }
    }

    private void ConvertGray(ReadOnlySpan<byte> raw, int count, Span<byte> outRow, int o, int step, bool sixteen)
    {
        bool alpha = _outChannels == 4;
        int key = _png.KeyGray;
        int bytes = sixteen ? 2 : 1;
        for (int i = 0; i < count; i++, o += step)
        {
            byte v = raw[i * bytes];
            if (!alpha)
            {
                outRow[o] = v;
                continue;
            }

            int s = sixteen ? (v << 8) | raw[(i * 2) + 1] : v;
            outRow[o] = v; outRow[o + 1] = v; outRow[o + 2] = v;
            outRow[o + 3] = s == key ? (byte)0 : (byte)255;
        }
    }

    private void ConvertRgb(ReadOnlySpan<byte> raw, int count, Span<byte> outRow, int o, int step, bool sixteen)
    {
        bool alpha = _outChannels == 4;
        int bytes = sixteen ? 2 : 1;
        int kr = _png.KeyRed, kg = _png.KeyGreen, kb = _png.KeyBlue;
        for (int i = 0; i < count; i++, o += step)
        {
            int p = i * 3 * bytes;
            byte r = raw[p], g = raw[p + bytes], b = raw[p + (2 * bytes)];
            outRow[o] = r; outRow[o + 1] = g; outRow[o + 2] = b;
            if (!alpha) continue;
            int sr = r, sg = g, sb = b;
            if (sixteen)
            {
                sr = (r << 8) | raw[p + 1];
                sg = (g << 8) | raw[p + 3];
                sb = (b << 8) | raw[p + 5];
            }

            outRow[o + 3] = sr == kr && sg == kg && sb == kb ? (byte)0 : (byte)255;
        }
    }

    /// <summary>Sample <paramref name="i"/> of a row packed at <paramref name="depth"/> (1, 2 or 4) bits, most significant bits first.</summary>
    private static int Sample(ReadOnlySpan<byte> raw, int i, int depth, int mask)
    {
        long bit = (long)i * depth;
        return (raw[(int)(bit >> 3)] >> (8 - depth - (int)(bit & 7))) & mask;
    }
}
