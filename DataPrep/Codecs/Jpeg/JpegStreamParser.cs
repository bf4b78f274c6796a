using System.Buffers.Binary;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// Walks the marker segments of a JPEG interchange-format stream (ITU T.81 Annex B), keeps the tables and the frame,
/// decodes each scan as it arrives, and records the JFIF/Adobe/EXIF facts that choose the colour space and
/// orientation. One instance per decode; <see cref="ReturnBuffers"/> releases the pooled planes.
/// </summary>
internal sealed class JpegStreamParser
{
    private const int MaxScans = 1000;

    private readonly string _source;
    private readonly DecoderOptions _options;
    private readonly int[]?[] _quantTables = new int[4][];
    private readonly JpegHuffmanTable?[] _dcTables = new JpegHuffmanTable[4];
    private readonly JpegHuffmanTable?[] _acTables = new JpegHuffmanTable[4];
    private int _restartInterval;
    private bool _sawJfif;
    private bool _sawAdobe;
    private int _adobeTransform;
    private bool _sawExif;
    private int _scans;

    public JpegStreamParser(string source, DecoderOptions options)
    {
        _source = source;
        _options = options;
    }

    /// <summary>The frame, once the frame header has been read.</summary>
    public JpegFrame? Frame { get; private set; }

    /// <summary>EXIF orientation 1..8 (1 without EXIF).</summary>
    public int Orientation { get; private set; } = 1;

    /// <summary>Parses and decodes the whole stream; throws <see cref="ImageFormatException"/> for anything it cannot decode.</summary>
    public void Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2 || data[0] != 0xFF || data[1] != JpegMarker.Soi)
            throw Error($"not a JPEG file (no SOI marker; first bytes {Convert.ToHexString(data[..Math.Min(4, data.Length)])})");

        int position = 2;
        bool sawEoi = false;
        while (!sawEoi)
        {
            int marker = NextMarker(data, ref position);
            if (marker < 0) break; // end of data without EOI: tolerated when the image is complete (checked below)
            byte m = (byte)marker;
            if (m == JpegMarker.Eoi)
            {
                sawEoi = true;
                continue;
            }

            if (JpegMarker.IsStandalone(m))
            {
                if (m == JpegMarker.Soi) throw Error("a second SOI marker inside the image");
                continue; // stray RSTn or TEM: nothing to do
            }

            ReadOnlySpan<byte> segment = Segment(data, ref position, m);
            switch (m)
            {
                case JpegMarker.Sof0 or JpegMarker.Sof1 or JpegMarker.Sof2:
                    ReadFrame(segment, m);
                    break;
                case JpegMarker.Dht:
                    ReadHuffmanTables(segment);
                    break;
                case JpegMarker.Dqt:
                    ReadQuantTables(segment);
                    break;
                case JpegMarker.Dri:
                    if (segment.Length != 2) throw Error($"corrupt DRI segment: length {segment.Length + 2}");
                    _restartInterval = BinaryPrimitives.ReadUInt16BigEndian(segment);
                    break;
                case JpegMarker.Sos:
                    position = DecodeScan(data, position, segment);
                    break;
                case JpegMarker.App0:
                    if (segment.Length >= 14 && segment[..5].SequenceEqual("JFIF\0"u8)) _sawJfif = true;
                    break;
                case JpegMarker.App1:
                    if (!_sawExif && segment.Length >= 6 && segment[..6].SequenceEqual("Exif\0\0"u8))
                    {
                        _sawExif = true;
                        Orientation = JpegExif.ReadOrientation(segment);
                    }

                    break;
                case JpegMarker.App14:
                    if (segment.Length >= 12 && segment[..5].SequenceEqual("Adobe"u8))
                    {
                        _sawAdobe = true;
                        _adobeTransform = segment[11];
                    }

                    break;
                default:
                    if (JpegMarker.IsStartOfFrame(m)) throw Error(JpegMarker.UnsupportedFrame(m));
                    break; // APPn, COM, DNL, DAC and reserved segments carry nothing we use
            }
        }

        Finish(sawEoi);
    }

    /// <summary>The colour space of the frame, chosen as libjpeg chooses it.</summary>
    public JpegColorSpace ColorSpace()
    {
        JpegFrame frame = Frame!;
        JpegComponent[] c = frame.Components;
        switch (c.Length)
        {
            case 1:
                return JpegColorSpace.Gray;
            case 3:
                if (_sawJfif) return JpegColorSpace.YCbCr;
                if (_sawAdobe) return _adobeTransform == 0 ? JpegColorSpace.Rgb : JpegColorSpace.YCbCr;
                return c[0].Id == 'R' && c[1].Id == 'G' && c[2].Id == 'B' ? JpegColorSpace.Rgb : JpegColorSpace.YCbCr;
            default:
                if (_sawAdobe) return _adobeTransform == 0 ? JpegColorSpace.Cmyk : JpegColorSpace.Ycck;
                return JpegColorSpace.Cmyk;
        }
    }

    /// <summary>Returns the pooled buffers of every component.</summary>
    public void ReturnBuffers()
    {
        if (Frame is null) return;
        foreach (JpegComponent c in Frame.Components) c.ReturnBuffers();
    }

    private void Finish(bool sawEoi)
    {
        JpegFrame frame = Frame ?? throw Error(sawEoi ? "no frame header (SOF) before EOI" : "truncated: the file ends before the image data");
        foreach (JpegComponent c in frame.Components)
        {
            if (!c.HasData)
                throw Error(sawEoi ? $"no scan carries data of component {c.Id}" : "truncated: the file ends before every component's scan");
        }

        if (frame.Progressive)
        {
            if (!sawEoi)
            {
                foreach (JpegComponent c in frame.Components)
                    foreach (int bits in c.CoefficientBits)
                        if (bits != 0) throw Error("truncated: the file ends before the last scan of the progressive image");
            }

            JpegProgressiveDecoder.Finish(frame);
        }
    }

    private int DecodeScan(ReadOnlySpan<byte> data, int position, ReadOnlySpan<byte> header)
    {
        JpegFrame frame = Frame ?? throw Error("SOS before the frame header (SOF)");
        if (++_scans > MaxScans) throw Error($"more than {MaxScans} scans");
        int n = header.Length > 0 ? header[0] : 0;
        if (n is < 1 or > 4 || header.Length != 4 + (2 * n))
            throw Error($"corrupt SOS segment: {n} components in {header.Length + 2} bytes");
        if (frame.Components.Length == 1 && n != 1) throw Error($"corrupt SOS segment: {n} components in a one-component frame");

        var components = new JpegComponent[n];
        var dc = new JpegHuffmanTable?[n];
        var ac = new JpegHuffmanTable?[n];
        int ss = header[1 + (2 * n)], se = header[2 + (2 * n)];
        int ah = header[3 + (2 * n)] >> 4, al = header[3 + (2 * n)] & 15;
        bool progressive = frame.Progressive;
        if (progressive)
        {
            bool bad = ss == 0 ? se != 0 : se < ss || se > 63 || n != 1;
            if (bad || (ah != 0 && al != ah - 1) || al > 13)
                throw Error($"corrupt SOS segment: invalid progressive parameters Ss={ss} Se={se} Ah={ah} Al={al}");
        }

        int blocksInMcu = 0;
        for (int i = 0; i < n; i++)
        {
            int id = header[1 + (2 * i)];
            int td = header[2 + (2 * i)] >> 4, ta = header[2 + (2 * i)] & 15;
            JpegComponent c = frame.Find(id) ?? throw Error($"corrupt SOS segment: component id {id} is not in the frame");
            if (Array.IndexOf(components, c, 0, i) >= 0) throw Error($"corrupt SOS segment: component {id} listed twice");
            components[i] = c;
            blocksInMcu += c.H * c.V;

            bool needDc = !progressive || (ss == 0 && ah == 0);
            bool needAc = !progressive || ss != 0;
            if (needDc) dc[i] = Table(_dcTables, td, "DC");
            if (needAc) ac[i] = Table(_acTables, ta, "AC");

            if (c.Quant is null)
            {
                int[] q = _quantTables[c.QuantTableIndex] ?? throw Error($"quantization table {c.QuantTableIndex} of component {id} is not defined");
                c.Quant = (int[])q.Clone(); // latched now, as libjpeg does
            }

            if (!progressive && c.HasData) throw Error($"component {id} appears in two sequential scans");
            c.HasData = true;
            if (progressive)
                for (int k = ss; k <= se; k++) c.CoefficientBits[k] = al;
        }

        if (n > 1 && blocksInMcu > 10) throw Error($"corrupt SOS segment: {blocksInMcu} blocks per MCU (at most 10)");

        var scan = new JpegScan(components, dc, ac, ss, se, ah, al);
        return progressive
            ? JpegProgressiveDecoder.DecodeScan(data, position, scan, _restartInterval, _source)
            : JpegSequentialDecoder.DecodeScan(data, position, scan, _restartInterval, _source);
    }

    private JpegHuffmanTable Table(JpegHuffmanTable?[] tables, int id, string kind) =>
        id < 4 && tables[id] is { } t ? t : throw Error($"{kind} Huffman table {id} is not defined");

    private void ReadFrame(ReadOnlySpan<byte> s, byte marker)
    {
        if (Frame is not null) throw Error("a second frame header (SOF)");
        if (s.Length < 6) throw Error($"corrupt {JpegMarker.Name(marker)} segment: length {s.Length + 2}");
        int precision = s[0];
        int height = BinaryPrimitives.ReadUInt16BigEndian(s[1..]);
        int width = BinaryPrimitives.ReadUInt16BigEndian(s[3..]);
        int n = s[5];
        if (precision != 8)
            throw Error(precision == 12 ? "unsupported: 12-bit sample precision" : $"corrupt frame header: {precision}-bit sample precision");
        if (height == 0) throw Error("unsupported: height 0 (defined later by a DNL marker)");
        if (width == 0) throw Error("corrupt frame header: width 0");
        if (n is 0 or > 4) throw Error($"corrupt frame header: {n} components");
        if (n == 2) throw Error("unsupported: 2-component image (unknown colour space)");
        if (s.Length != 6 + (3 * n)) throw Error($"corrupt frame header: length {s.Length + 2} for {n} components");

        long pixels = (long)width * height;
        if (pixels > _options.MaxPixels)
            throw Error($"image of {width}x{height} = {pixels} pixels exceeds the limit of {_options.MaxPixels} (DecoderOptions.MaxPixels)");

        var components = new JpegComponent[n];
        for (int i = 0; i < n; i++)
        {
            int id = s[6 + (3 * i)], h = s[7 + (3 * i)] >> 4, v = s[7 + (3 * i)] & 15, tq = s[8 + (3 * i)];
            if (h is < 1 or > 4 || v is < 1 or > 4) throw Error($"corrupt frame header: sampling factors {h}x{v} of component {id}");
            if (tq > 3) throw Error($"corrupt frame header: quantization table {tq} of component {id}");
            for (int j = 0; j < i; j++)
                if (components[j].Id == id) throw Error($"corrupt frame header: component id {id} appears twice");
            components[i] = new JpegComponent(i, id, h, v, tq);
        }

        var frame = new JpegFrame(marker == JpegMarker.Sof2, width, height, components);
        foreach (JpegComponent c in components)
        {
            if ((long)c.PlaneBlocksPerLine * c.PlaneBlocksPerColumn * 64 > Array.MaxLength)
                throw Error($"image of {width}x{height} is too large to decode");
        }

        if (pixels * (n == 1 ? 1 : 3) > Array.MaxLength) throw Error($"image of {width}x{height} is too large to decode");
        Frame = frame;
        foreach (JpegComponent c in components) c.AllocateBuffers(frame.Progressive);
    }

    private void ReadQuantTables(ReadOnlySpan<byte> s)
    {
        ReadOnlySpan<byte> natural = JpegZigZag.NaturalOrder;
        while (s.Length > 0)
        {
            int pq = s[0] >> 4, tq = s[0] & 15;
            if (pq > 1 || tq > 3) throw Error($"corrupt DQT segment: precision {pq}, table id {tq}");
            int size = pq == 0 ? 64 : 128;
            if (s.Length < 1 + size) throw Error("corrupt DQT segment: table cut short");
            var table = new int[64];
            for (int k = 0; k < 64; k++)
                table[natural[k]] = pq == 0 ? s[1 + k] : BinaryPrimitives.ReadUInt16BigEndian(s[(1 + (2 * k))..]);
            _quantTables[tq] = table;
            s = s[(1 + size)..];
        }
    }

    private void ReadHuffmanTables(ReadOnlySpan<byte> s)
    {
        while (s.Length > 0)
        {
            int tc = s[0] >> 4, th = s[0] & 15;
            if (tc > 1 || th > 3) throw Error($"corrupt DHT segment: class {tc}, table id {th}");
            if (s.Length < 17) throw Error("corrupt DHT segment: code counts cut short");
            ReadOnlySpan<byte> counts = s.Slice(1, 16);
            int total = 0;
            foreach (byte c in counts) total += c;
            if (s.Length < 17 + total) throw Error("corrupt DHT segment: symbols cut short");
            JpegHuffmanTable table = JpegHuffmanTable.Build(counts, s.Slice(17, total), tc == 0, _source, th);
            if (tc == 0) _dcTables[th] = table;
            else _acTables[th] = table;
            s = s[(17 + total)..];
        }
    }

    /// <summary>The payload of the segment whose length field is at <paramref name="position"/>; advances past it.</summary>
    private ReadOnlySpan<byte> Segment(ReadOnlySpan<byte> data, ref int position, byte marker)
    {
        if (position + 2 > data.Length) throw Error($"truncated: the file ends in the {JpegMarker.Name(marker)} segment header");
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
        if (length < 2) throw Error($"corrupt {JpegMarker.Name(marker)} segment: length {length}");
        if (position + length > data.Length)
            throw Error($"truncated: the {JpegMarker.Name(marker)} segment at byte {position - 2} claims {length} bytes, {data.Length - position} remain");
        ReadOnlySpan<byte> payload = data.Slice(position + 2, length - 2);
        position += length;
        return payload;
    }

    /// <summary>Finds the next marker as libjpeg does (skipping stray bytes and fill bytes); -1 at the end of the data.</summary>
    private static int NextMarker(ReadOnlySpan<byte> data, ref int position)
    {
        int p = position;
        while (true)
        {
            while (p < data.Length && data[p] != 0xFF) p++;
            while (p < data.Length && data[p] == 0xFF) p++;
            if (p >= data.Length)
            {
                position = data.Length;
                return -1;
            }

            byte code = data[p++];
            if (code != 0)
            {
                position = p;
                return code;
            }
        }
    }

    private ImageFormatException Error(string problem) => new(_source, problem);
}
