using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// Reads the entropy-coded segment of a scan bit by bit (ITU T.81 F.2.2.5): removes stuffed zero bytes after 0xFF,
/// stops at the next marker, and past the end supplies zero bits as libjpeg does. Zero bits consumed past the end of
/// the data (not a marker) mean a truncated file, reported by <see cref="CheckEnd"/> and by the refill itself.
/// </summary>
internal ref struct JpegBitReader
{
    private const ulong Ones = 0x0101010101010101UL;
    private const ulong Highs = 0x8080808080808080UL;

    // Zero bits a scan may consume past a marker before the data counts as corrupt: covers an encoder that did not
    // flush its last byte, as libjpeg tolerates, but stops a damaged scan from decoding the rest of the image from zeros.
    private const int MarkerSlackBits = 64;

    private readonly ReadOnlySpan<byte> _data;
    private readonly string _source;
    private ulong _bits;   // the next bits, most significant first; the top _count bits are valid
    private int _count;
    private int _position; // next byte to load
    private int _padding;  // zero bits appended after the coded data ended
    private bool _ended;   // a marker or the end of the data was reached
    private bool _endOfData;

    public JpegBitReader(ReadOnlySpan<byte> data, int position, string source)
    {
        _data = data;
        _position = position;
        _source = source;
    }

    /// <summary>Offset of the next unread byte (at the terminating marker once the segment is exhausted).</summary>
    public readonly int Position => _position;

    /// <summary>Makes at least 32 bits available (zeros past the end of the segment).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Refill()
    {
        if (_count < 32) Fill();
    }

    /// <summary>The bit buffer (next bits most significant first), for a loop that keeps it in a register.</summary>
    public readonly ulong Bits => _bits;

    /// <summary>Valid bits in <see cref="Bits"/>.</summary>
    public readonly int Count => _count;

    /// <summary>Stores back a bit buffer and count taken with <see cref="Bits"/> and <see cref="Count"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetBits(ulong bits, int count)
    {
        _bits = bits;
        _count = count;
    }

    /// <summary>
    /// <see cref="Refill()"/> for a caller holding the buffer in locals: makes at least 32 bits available in
    /// <paramref name="bits"/>/<paramref name="count"/>. Inlined, so the locals stay in registers; the rare
    /// slow path goes through the fields.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Refill(ref ulong bits, ref int count)
    {
        if (count >= 32) return;
        int p = _position;
        if (!_ended && p <= _data.Length - 8)
        {
            ulong v = BinaryPrimitives.ReadUInt64BigEndian(_data.Slice(p, 8));
            if (((~v - Ones) & v & Highs) == 0)
            {
                bits |= v >> count;
                int n = (64 - count) >> 3;
                _position = p + n;
                count += n * 8;
                return;
            }
        }

        _bits = bits;
        _count = count;
        Fill();
        bits = _bits;
        count = _count;
    }

    /// <summary>
    /// <see cref="DecodeSymbol(JpegHuffmanTable)"/> on a buffer held in locals (needs 16 available bits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int DecodeSymbol(JpegHuffmanTable table, ref ulong bits, ref int count)
    {
        int entry = table.Lookup[(int)(bits >> (64 - JpegHuffmanTable.LookupBits))];
        if (entry != 0)
        {
            int length = entry >> 8;
            bits <<= length;
            count -= length;
            return entry & 0xFF;
        }

        _bits = bits;
        _count = count;
        int symbol = DecodeLongSymbol(table);
        bits = _bits;
        count = _count;
        return symbol;
    }

    /// <summary>Consumes <paramref name="n"/> bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Skip(int n)
    {
        _bits <<= n;
        _count -= n;
    }

    /// <summary>Decodes one Huffman symbol; needs 16 available bits (<see cref="Refill()"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int DecodeSymbol(JpegHuffmanTable table)
    {
        int entry = table.Lookup[(int)(_bits >> (64 - JpegHuffmanTable.LookupBits))];
        if (entry == 0) return DecodeLongSymbol(table);
        Skip(entry >> 8);
        return entry & 0xFF;
    }

    /// <summary>Reads <paramref name="s"/> magnitude bits (0..15) and extends them to a signed value (F.2.2.1); needs s available bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Receive(int s)
    {
        if (s == 0) return 0;
        int v = (int)(_bits >> (64 - s));
        Skip(s);
        return v + (((v >> (s - 1)) - 1) & ((-1 << s) + 1));
    }

    /// <summary>Reads one bit, refilling as needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadBit()
    {
        if (_count < 1) Fill();
        int v = (int)(_bits >> 63);
        Skip(1);
        return v;
    }

    /// <summary>
    /// Handles a restart boundary (F.2.1.3.2): drops the remaining bits of the interval, skips to the next marker and
    /// consumes it when it is RSTn. Another marker is left in place, and the rest of the scan decodes as zeros.
    /// </summary>
    public void Restart()
    {
        CheckEnd();
        _bits = 0;
        _count = 0;
        _padding = 0;
        int p = _position;
        while (true)
        {
            if (p + 1 >= _data.Length)
            {
                _position = _data.Length;
                _ended = _endOfData = true;
                return;
            }

            if (_data[p] == 0xFF && _data[p + 1] != 0 && _data[p + 1] != 0xFF) break;
            p++;
        }

        byte marker = _data[p + 1];
        if (marker is >= JpegMarker.Rst0 and <= JpegMarker.Rst7)
        {
            _position = p + 2;
            _ended = false;
        }
        else
        {
            _position = p;
            _ended = true;
        }
    }

    /// <summary>
    /// Throws when the scan consumed bits past the end of the file (a truncated file; a missing EOI alone is fine)
    /// or more than a few bits past the marker that ends its data.
    /// </summary>
    public readonly void CheckEnd()
    {
        if (_count < _padding) ThrowOverrun();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowOverrun()
    {
        if (_endOfData)
            throw new ImageFormatException(_source, "truncated: the file ends inside the entropy-coded data of a scan");
        if (_padding - _count > MarkerSlackBits)
            throw new ImageFormatException(_source, $"corrupt data: a scan's coded data ends early, at the marker at byte {_position}");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int DecodeLongSymbol(JpegHuffmanTable table)
    {
        int entry = table.DecodeLong((int)(_bits >> 48));
        if (entry < 0)
            throw new ImageFormatException(_source, $"corrupt data: bad Huffman code near byte {_position} ({(table.IsDc ? "DC" : "AC")} table)");
        Skip(entry >> 8);
        return entry & 0xFF;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Fill()
    {
        // Fast path: eight bytes with no 0xFF among them load at once. Bits of a byte that only partly fits are
        // or-ed in early; the next fill or-s in the same byte at the same place, so they are harmless.
        if (!_ended && _position <= _data.Length - 8)
        {
            ulong v = BinaryPrimitives.ReadUInt64BigEndian(_data.Slice(_position, 8));
            ulong inverse = ~v;
            if (((inverse - Ones) & v & Highs) == 0)
            {
                _bits |= v >> _count;
                int n = (64 - _count) >> 3;
                _position += n;
                _count += n * 8;
                return;
            }
        }

        while (_count <= 56)
        {
            if (_ended)
            {
                if (_count < _padding) ThrowOverrun();
                _padding += 64 - _count;
                _count = 64;
                return;
            }

            if (_position >= _data.Length)
            {
                _ended = _endOfData = true;
                continue;
            }

            int b = _data[_position];
            if (b == 0xFF)
            {
                int p = _position + 1;
                while (p < _data.Length && _data[p] == 0xFF) p++;
                if (p >= _data.Length)
                {
                    _ended = _endOfData = true;
                    continue;
                }

                if (_data[p] != 0)
                {
                    _ended = true; // a marker: leave _position on it
                    continue;
                }

                _position = p + 1; // 0xFF (fill bytes) 0x00 is one data byte 0xFF
            }
            else
            {
                _position++;
            }

            _bits |= (ulong)b << (56 - _count);
            _count += 8;
        }
    }
}
