using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Bmp;

/// <summary>
/// Expands BI_RLE8 and BI_RLE4 data into one palette index per pixel, rows in file order.
/// Encoded runs are (count, value); escapes are 0,0 end of line, 0,1 end of bitmap, 0,2,dx,dy delta and
/// 0,n absolute runs padded to a 16-bit boundary. Pixels the data never sets keep index 0; pixels past
/// the right edge are dropped; data stops at end of bitmap or once past the last row.
/// </summary>
internal static class BmpRle
{
    /// <summary>Fills <paramref name="indices"/> (width x height, file row order) from <paramref name="rle"/>.</summary>
    public static void Expand(ReadOnlySpan<byte> rle, int width, int height, bool fourBit, Span<byte> indices, string source)
    {
        int x = 0, y = 0, pos = 0;
        while (y < height)
        {
            if (rle.Length - pos < 2)
                throw new ImageFormatException(source, $"truncated: RLE data ends at row {y} without an end-of-bitmap marker");
            int count = rle[pos], value = rle[pos + 1];
            pos += 2;
            if (count > 0)
            {
                for (int i = 0; i < count; i++, x++)
                {
                    if (x >= width) break;
                    indices[(y * width) + x] = (byte)(fourBit ? ((i & 1) == 0 ? value >> 4 : value & 0x0F) : value);
                }

                continue;
            }

            switch (value)
            {
                case 0: // end of line
                    x = 0;
                    y++;
                    break;
                case 1: // end of bitmap
                    return;
                case 2: // delta
                    if (rle.Length - pos < 2) throw new ImageFormatException(source, "truncated: RLE data ends inside a delta escape");
                    x = Math.Min(x + rle[pos], width);
                    y = (int)Math.Min((long)y + rle[pos + 1], height);
                    pos += 2;
                    break;
                default: // absolute run of `value` pixels
                    {
                        int bytes = fourBit ? (value + 1) / 2 : value;
                        int padded = (bytes + 1) & ~1;
                        if (rle.Length - pos < bytes)
                            throw new ImageFormatException(source, $"truncated: an absolute RLE run of {value} pixels at row {y} runs past the end of the data");
                        for (int i = 0; i < value; i++, x++)
                        {
                            if (x >= width) break;
                            int v = fourBit ? ((i & 1) == 0 ? rle[pos + (i >> 1)] >> 4 : rle[pos + (i >> 1)] & 0x0F) : rle[pos + i];
                            indices[(y * width) + x] = (byte)v;
                        }

                        pos += Math.Min(padded, rle.Length - pos);
                        break;
                    }
            }
        }
    }
}
