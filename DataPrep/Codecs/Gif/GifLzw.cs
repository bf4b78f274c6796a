using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Gif;

/// <summary>
/// The variable-length-code LZW of GIF89a (appendix F): codes are read least significant bit first,
/// start at minimum code size + 1 bits and grow to 12; a clear code resets the table; once the table
/// holds 4,096 entries it stays full until the next clear (deferred clear).
/// </summary>
internal static class GifLzw
{
    private const int MaxCodes = 4096;

    /// <summary>
    /// Decodes <paramref name="data"/> into <paramref name="indices"/>, stopping when it is full, at the end code
    /// or at the end of the data. Returns how many pixels were written; throws on an invalid code.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> data, int minCodeSize, Span<byte> indices, string source)
    {
        int clear = 1 << minCodeSize, end = clear + 1;
        var prefix = new short[MaxCodes];
        var suffix = new byte[MaxCodes];
        var stack = new byte[MaxCodes + 1];
        for (int i = 0; i < clear; i++) suffix[i] = (byte)i;

        int codeSize = minCodeSize + 1, next = clear + 2;
        int old = -1;
        byte first = 0;
        int written = 0;
        long bitPos = 0;
        long totalBits = (long)data.Length * 8;
        while (written < indices.Length)
        {
            if (bitPos + codeSize > totalBits) break;
            int code = ReadCode(data, bitPos, codeSize);
            bitPos += codeSize;
            if (code == clear)
            {
                codeSize = minCodeSize + 1;
                next = clear + 2;
                old = -1;
                continue;
            }

            if (code == end) break;
            if (old == -1)
            {
                if (code >= clear) throw new ImageFormatException(source, $"invalid first LZW code {code} after a clear (must be a literal below {clear})");
                indices[written++] = (byte)code;
                old = code;
                first = (byte)code;
                continue;
            }

            int cur;
            int top = 0;
            if (code < next)
            {
                cur = code;
            }
            else if (code == next && next < MaxCodes)
            {
                stack[top++] = first; // the KwKwK case: the string of old plus its own first byte
                cur = old;
            }
            else
            {
                throw new ImageFormatException(source, $"invalid LZW code {code} (only {next} codes are defined)");
            }

            while (cur >= clear)
            {
                stack[top++] = suffix[cur];
                cur = prefix[cur];
            }

            stack[top++] = (byte)cur;
            first = (byte)cur;
            while (top > 0 && written < indices.Length) indices[written++] = stack[--top];

            if (next < MaxCodes)
            {
                prefix[next] = (short)old;
                suffix[next] = first;
                next++;
                if (next == 1 << codeSize && codeSize < 12) codeSize++;
            }

            old = code;
        }

        return written;
    }

    private static int ReadCode(ReadOnlySpan<byte> data, long bitPos, int codeSize)
    {
        int at = (int)(bitPos >> 3);
        int v = data[at];
        if (at + 1 < data.Length) v |= data[at + 1] << 8;
        if (at + 2 < data.Length) v |= data[at + 2] << 16;
        return (v >> (int)(bitPos & 7)) & ((1 << codeSize) - 1);
    }
}
