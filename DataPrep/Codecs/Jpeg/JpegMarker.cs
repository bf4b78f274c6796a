namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>Marker codes (the byte after 0xFF) of ITU T.81 Table B.1, and their names for error messages.</summary>
internal static class JpegMarker
{
    public const byte Sof0 = 0xC0;  // baseline DCT
    public const byte Sof1 = 0xC1;  // extended sequential DCT, Huffman
    public const byte Sof2 = 0xC2;  // progressive DCT, Huffman
    public const byte Sof3 = 0xC3;  // lossless, Huffman
    public const byte Dht = 0xC4;
    public const byte Jpg = 0xC8;
    public const byte Dac = 0xCC;
    public const byte Rst0 = 0xD0;
    public const byte Rst7 = 0xD7;
    public const byte Soi = 0xD8;
    public const byte Eoi = 0xD9;
    public const byte Sos = 0xDA;
    public const byte Dqt = 0xDB;
    public const byte Dnl = 0xDC;
    public const byte Dri = 0xDD;
    public const byte App0 = 0xE0;
    public const byte App1 = 0xE1;
    public const byte App14 = 0xEE;
    public const byte App15 = 0xEF;
    public const byte Com = 0xFE;
    public const byte Tem = 0x01;

    /// <summary>Whether <paramref name="marker"/> is a start-of-frame code (C0-CF except DHT, JPG and DAC).</summary>
    public static bool IsStartOfFrame(byte marker) =>
        marker is >= 0xC0 and <= 0xCF && marker is not (Dht or Jpg or Dac);

    /// <summary>Whether <paramref name="marker"/> stands alone (no length field): SOI, EOI, RSTn, TEM.</summary>
    public static bool IsStandalone(byte marker) => marker is Tem or (>= Rst0 and <= Eoi);

    /// <summary>Why a start-of-frame code other than SOF0-SOF2 cannot be decoded.</summary>
    public static string UnsupportedFrame(byte marker) => marker switch
    {
        Sof3 => "unsupported: lossless JPEG (SOF3)",
        0xC5 or 0xC6 or 0xC7 => $"unsupported: hierarchical JPEG (SOF{marker - 0xC0})",
        0xC9 or 0xCA or 0xCB or 0xCD or 0xCE or 0xCF => $"unsupported: arithmetic coding (SOF{marker - 0xC0})",
        _ => $"unsupported: frame type 0x{marker:X2}",
    };

    /// <summary>A readable name such as "SOS (FFDA)".</summary>
    public static string Name(byte marker)
    {
        string name = marker switch
        {
            >= Rst0 and <= Rst7 => $"RST{marker - Rst0}",
            >= App0 and <= App15 => $"APP{marker - App0}",
            Soi => "SOI",
            Eoi => "EOI",
            Sos => "SOS",
            Dqt => "DQT",
            Dht => "DHT",
            Dri => "DRI",
            Dnl => "DNL",
            Com => "COM",
            Dac => "DAC",
            _ when IsStartOfFrame(marker) => $"SOF{marker - Sof0}",
            _ => "marker",
        };
        return $"{name} (FF{marker:X2})";
    }
}
