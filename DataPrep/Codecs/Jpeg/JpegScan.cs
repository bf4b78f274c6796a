namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>A scan header (SOS, ITU T.81 B.2.3): the components it codes with their Huffman tables, and the spectral/approximation parameters.</summary>
internal sealed class JpegScan
{
    public JpegScan(JpegComponent[] components, JpegHuffmanTable?[] dcTables, JpegHuffmanTable?[] acTables, int ss, int se, int ah, int al)
    {
        Components = components;
        DcTables = dcTables;
        AcTables = acTables;
        Ss = ss;
        Se = se;
        Ah = ah;
        Al = al;
    }

    /// <summary>The scan's components, in scan order.</summary>
    public JpegComponent[] Components { get; }

    /// <summary>DC table of each scan component (null where the scan needs none).</summary>
    public JpegHuffmanTable?[] DcTables { get; }

    /// <summary>AC table of each scan component (null where the scan needs none).</summary>
    public JpegHuffmanTable?[] AcTables { get; }

    /// <summary>Start of spectral selection.</summary>
    public int Ss { get; }

    /// <summary>End of spectral selection.</summary>
    public int Se { get; }

    /// <summary>Successive approximation bit position high (0 for a first scan).</summary>
    public int Ah { get; }

    /// <summary>Successive approximation bit position low (point transform).</summary>
    public int Al { get; }

    /// <summary>Whether the scan interleaves more than one component (MCUs of several blocks).</summary>
    public bool Interleaved => Components.Length > 1;
}
