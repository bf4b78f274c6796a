namespace MlPipelines.DataPrep.Codecs.Pnm;

/// <summary>
/// A parsed Netpbm header. <see cref="Kind"/> is the digit after 'P' (1..7); <see cref="Depth"/> is samples per
/// pixel (1 for PBM/PGM, 3 for PPM, 1..4 for PAM); <see cref="DataOffset"/> is where the raster starts.
/// </summary>
internal readonly record struct PnmHeader(int Kind, int Width, int Height, int Depth, int MaxValue, int DataOffset)
{
    /// <summary>Whether samples are written as ASCII decimal numbers (P1, P2, P3).</summary>
    public bool IsPlain => Kind <= 3;

    /// <summary>Whether this is a bitmap (P1, P4): one bit per pixel, 1 = black.</summary>
    public bool IsBitmap => Kind is 1 or 4;

    /// <summary>Output channels: 1 gray, 3 RGB, 4 RGBA (PAM gray+alpha is widened to RGBA).</summary>
    public int OutputChannels => Depth switch
    {
        1 => 1,
        3 => 3,
        _ => 4,
    };
}
