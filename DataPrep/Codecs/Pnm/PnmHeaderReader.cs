using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Pnm;

/// <summary>
/// Reads Netpbm headers: P1-P6 (whitespace-separated decimal fields with '#' comments to the end of the
/// line, then a single whitespace byte before a binary raster) and P7 PAM (KEY value lines up to ENDHDR).
/// </summary>
internal static class PnmHeaderReader
{
    /// <summary>Parses the header; throws <see cref="ImageFormatException"/> naming <paramref name="source"/>.</summary>
    public static PnmHeader Read(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length < 3 || data[0] != (byte)'P' || data[1] < (byte)'1' || data[1] > (byte)'7')
            throw new ImageFormatException(source, "not a Netpbm file (expected P1..P7)");
        int kind = data[1] - '0';
        if (kind == 7) return ReadPam(data, source);

        int pos = 2;
        int width = ReadNumber(data, ref pos, source, "width");
        int height = ReadNumber(data, ref pos, source, "height");
        int maxValue = kind is 1 or 4 ? 1 : ReadNumber(data, ref pos, source, "maxval");
        if (width <= 0 || height <= 0) throw new ImageFormatException(source, $"invalid image size {width}x{height}");
        if (maxValue is < 1 or > 65535) throw new ImageFormatException(source, $"maxval {maxValue} is outside 1..65535");
        if (kind >= 4)
        {
            // Exactly one whitespace byte separates the header from a binary raster.
            if (pos >= data.Length) throw new ImageFormatException(source, "truncated: the file ends after the header");
            if (!IsSpace(data[pos])) throw new ImageFormatException(source, $"expected whitespace after the header at byte {pos}");
            pos++;
        }

        return new PnmHeader(kind, width, height, kind is 3 or 6 ? 3 : 1, maxValue, pos);
    }

    /// <summary>Skips whitespace and comments, then reads an unsigned decimal number.</summary>
    public static int ReadNumber(ReadOnlySpan<byte> data, ref int pos, string source, string what)
    {
        SkipSpaceAndComments(data, ref pos);
        if (pos >= data.Length) throw new ImageFormatException(source, $"truncated: the file ends before the {what}");
        if (!char.IsAsciiDigit((char)data[pos]))
            throw new ImageFormatException(source, $"expected a number for the {what} at byte {pos}, found 0x{data[pos]:X2}");
        long value = 0;
        while (pos < data.Length && char.IsAsciiDigit((char)data[pos]))
        {
            value = (value * 10) + (data[pos] - '0');
            if (value > int.MaxValue) throw new ImageFormatException(source, $"the {what} at byte {pos} is too large");
            pos++;
        }

        return (int)value;
    }

    /// <summary>Skips whitespace and '#' comments (which run to the end of the line).</summary>
    public static void SkipSpaceAndComments(ReadOnlySpan<byte> data, ref int pos)
    {
        while (pos < data.Length)
        {
            byte c = data[pos];
            if (c == '#')
            {
                while (pos < data.Length && data[pos] != '\n' && data[pos] != '\r') pos++;
            }
            else if (IsSpace(c))
            {
                pos++;
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>The whitespace of the Netpbm formats: space, tab, CR, LF, vertical tab and form feed.</summary>
    public static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;

    private static PnmHeader ReadPam(ReadOnlySpan<byte> data, string source)
    {
        int pos = 2;
        if (!IsSpace(data[pos])) throw new ImageFormatException(source, "expected a newline after the P7 magic");
        int width = -1, height = -1, depth = -1, maxValue = -1;
        while (true)
        {
            SkipSpaceAndComments(data, ref pos);
            int start = pos;
            while (pos < data.Length && !IsSpace(data[pos])) pos++;
            if (pos >= data.Length) throw new ImageFormatException(source, "truncated: the PAM header has no ENDHDR line");
            ReadOnlySpan<byte> key = data[start..pos];
            if (key.SequenceEqual("ENDHDR"u8))
            {
                // ENDHDR ends its line; the raster starts after the newline.
                while (pos < data.Length && data[pos] != '\n') pos++;
                if (pos >= data.Length) throw new ImageFormatException(source, "truncated: the file ends after ENDHDR");
                pos++;
                break;
            }

            if (key.SequenceEqual("TUPLTYPE"u8))
            {
                while (pos < data.Length && data[pos] != '\n') pos++;
                continue;
            }

            string name = key.SequenceEqual("WIDTH"u8) ? "WIDTH" : key.SequenceEqual("HEIGHT"u8) ? "HEIGHT"
                : key.SequenceEqual("DEPTH"u8) ? "DEPTH" : key.SequenceEqual("MAXVAL"u8) ? "MAXVAL" : "";
            if (name.Length == 0)
                throw new ImageFormatException(source, $"unknown PAM header keyword '{System.Text.Encoding.ASCII.GetString(key.Length > 20 ? key[..20] : key)}' at byte {start}");
            int value = ReadNumber(data, ref pos, source, name);
            switch (name)
            {
                case "WIDTH": width = value; break;
                case "HEIGHT": height = value; break;
                case "DEPTH": depth = value; break;
                default: maxValue = value; break;
            }
        }

        if (width <= 0 || height <= 0) throw new ImageFormatException(source, $"missing or invalid PAM size {width}x{height}");
        if (depth is < 1 or > 4) throw new ImageFormatException(source, $"PAM depth {depth} is not 1..4");
        if (maxValue is < 1 or > 65535) throw new ImageFormatException(source, $"PAM maxval {maxValue} is outside 1..65535");
        return new PnmHeader(7, width, height, depth, maxValue, pos);
    }
}
