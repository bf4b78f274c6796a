namespace MlPipelines.Evaluation.Reports.Charts;

/// <summary>A white-to-dark-blue colour scale for shares in [0, 1].</summary>
internal static class HeatColor
{
    private static readonly (byte R, byte G, byte B) Low = (0xf7, 0xfb, 0xff), High = (0x08, 0x30, 0x6b);

    /// <summary>The colour of <paramref name="share"/> (clamped to [0, 1]).</summary>
    public static (byte R, byte G, byte B) Rgb(double share)
    {
        double t = double.IsFinite(share) ? Math.Clamp(share, 0, 1) : 0;
        static byte Mix(byte a, byte b, double t) => (byte)Math.Round(a + (b - a) * t);
        return (Mix(Low.R, High.R, t), Mix(Low.G, High.G, t), Mix(Low.B, High.B, t));
    }

    /// <summary>The colour of <paramref name="share"/> as #rrggbb.</summary>
    public static string Hex(double share)
    {
        var (r, g, b) = Rgb(share);
        return $"#{r:x2}{g:x2}{b:x2}";
    }

    /// <summary>Parses #rrggbb.</summary>
    public static (byte R, byte G, byte B) Parse(string hex)
    {
        if (hex is not { Length: 7 } || hex[0] != '#')
            throw new ArgumentException($"'{hex}' is not a #rrggbb colour.", nameof(hex));
        byte P(int at) => Convert.ToByte(hex.Substring(at, 2), 16);
        return (P(1), P(3), P(5));
    }
}
