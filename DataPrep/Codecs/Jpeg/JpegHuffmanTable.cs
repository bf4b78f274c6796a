using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// A Huffman decoding table (ITU T.81 Annex C and F.2.2.3) with lookahead tables: codes of up to
/// <see cref="LookupBits"/> bits resolve with one lookup; for AC tables, a code and its magnitude bits that fit
/// together resolve the whole (run, value) pair with one lookup. Longer codes use the MAXCODE/VALPTR procedure.
/// </summary>
internal sealed class JpegHuffmanTable
{
    /// <summary>Bits of lookahead of the fast tables.</summary>
    public const int LookupBits = 9;

    private JpegHuffmanTable(bool isDc)
    {
        IsDc = isDc;
    }

    /// <summary>Whether this is a DC table (symbols are magnitude categories 0..15).</summary>
    public bool IsDc { get; }

    /// <summary>Indexed by the next <see cref="LookupBits"/> bits: (code length &lt;&lt; 8) | symbol, or 0 when the code is longer.</summary>
    public ushort[] Lookup { get; } = new ushort[1 << LookupBits];

    /// <summary>
    /// Indexed by the next <see cref="LookupBits"/> bits (AC tables only): (value &lt;&lt; 8) | (run &lt;&lt; 4) | bits used,
    /// for a non-zero coefficient whose code and magnitude bits both fit; 0 otherwise.
    /// </summary>
    public int[] FastAc { get; } = new int[1 << LookupBits];

    /// <summary>MaxCode[l]: the largest code of length l (1..16), or -1 when there is none.</summary>
    public int[] MaxCode { get; } = new int[17];

    /// <summary>ValueOffset[l]: index into <see cref="Values"/> of code 0 of length l (the first code's index minus the first code).</summary>
    public int[] ValueOffset { get; } = new int[17];

    /// <summary>Symbols in order of increasing code length (HUFFVAL).</summary>
    public byte[] Values { get; } = new byte[256];

    /// <summary>
    /// Builds a table from the 16 code-length counts (BITS) and the symbols (HUFFVAL) of a DHT segment.
    /// Throws when the counts overflow the code space, as libjpeg does, or a DC symbol exceeds 15.
    /// </summary>
    public static JpegHuffmanTable Build(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values, bool isDc, string source, int id)
    {
        string which = $"{(isDc ? "DC" : "AC")} Huffman table {id}";
        int total = 0;
        foreach (byte c in counts) total += c;
        if (counts.Length != 16 || total != values.Length || total > 256)
            throw new ImageFormatException(source, $"corrupt {which}: {total} codes");

        var table = new JpegHuffmanTable(isDc);
        values.CopyTo(table.Values);
        if (isDc)
        {
            foreach (byte v in values)
                if (v > 15) throw new ImageFormatException(source, $"corrupt {which}: DC symbol {v} exceeds 15");
        }

        // Generate codes (Annex C): consecutive values within a length, doubled when the length grows.
        int code = 0, k = 0;
        for (int length = 1; length <= 16; length++)
        {
            int n = counts[length - 1];

            // The all-ones code of each length is reserved; libjpeg rejects tables that would use it.
            if (code + n >= 1 << length)
                throw new ImageFormatException(source, $"corrupt {which}: code lengths overflow the code space");
            table.ValueOffset[length] = k - code;
            table.MaxCode[length] = n == 0 ? -1 : code + n - 1;
            for (int i = 0; i < n; i++, k++, code++)
            {
                if (length <= LookupBits)
                {
                    // Every LookupBits-bit prefix that starts with this code maps to it.
                    int shift = LookupBits - length;
                    int first = code << shift;
                    ushort entry = (ushort)((length << 8) | values[k]);
                    table.Lookup.AsSpan(first, 1 << shift).Fill(entry);
                }
            }

            code <<= 1;
        }

        if (!isDc) table.BuildFastAc();
        return table;
    }

    /// <summary>The slow path of decoding: the code is longer than <see cref="LookupBits"/>; <paramref name="peek16"/> holds the next 16 bits.</summary>
    /// <returns>(length &lt;&lt; 8) | symbol, or -1 when no code matches (corrupt data).</returns>
    public int DecodeLong(int peek16)
    {
        for (int length = LookupBits + 1; length <= 16; length++)
        {
            int code = peek16 >> (16 - length);
            if (code <= MaxCode[length])
                return (length << 8) | Values[(ValueOffset[length] + code) & 0xFF];
        }

        return -1;
    }

    private void BuildFastAc()
    {
        for (int peek = 0; peek < Lookup.Length; peek++)
        {
            int entry = Lookup[peek];
            if (entry == 0) continue;
            int length = entry >> 8, symbol = entry & 0xFF;
            int run = symbol >> 4, size = symbol & 15;
            if (size == 0 || length + size > LookupBits) continue;
            int bits = (peek >> (LookupBits - length - size)) & ((1 << size) - 1);
            int value = bits < 1 << (size - 1) ? bits - (1 << size) + 1 : bits; // EXTEND (F.2.2.1)
            FastAc[peek] = (value << 8) | (run << 4) | (length + size);
        }
    }
}
