namespace MlPipelines.Evaluation.Reports.Charts;

/// <summary>A 3x5 bitmap font for tick labels and counts in raster charts: digits and . - + e % (other characters draw as a gap).</summary>
internal static class PixelFont
{
    /// <summary>Glyph width and height in font pixels, and the advance between glyphs.</summary>
    public const int GlyphWidth = 3, GlyphHeight = 5, Advance = 4;

    // Each glyph: five rows of three bits, most significant bit on the left.
    private static readonly Dictionary<char, byte[]> Glyphs = new()
    {
        ['0'] = [0b111, 0b101, 0b101, 0b101, 0b111],
        ['1'] = [0b010, 0b110, 0b010, 0b010, 0b111],
        ['2'] = [0b111, 0b001, 0b111, 0b100, 0b111],
        ['3'] = [0b111, 0b001, 0b111, 0b001, 0b111],
        ['4'] = [0b101, 0b101, 0b111, 0b001, 0b001],
        ['5'] = [0b111, 0b100, 0b111, 0b001, 0b111],
        ['6'] = [0b111, 0b100, 0b111, 0b101, 0b111],
        ['7'] = [0b111, 0b001, 0b010, 0b010, 0b010],
        ['8'] = [0b111, 0b101, 0b111, 0b101, 0b111],
        ['9'] = [0b111, 0b101, 0b111, 0b001, 0b111],
        ['.'] = [0b000, 0b000, 0b000, 0b000, 0b010],
        ['-'] = [0b000, 0b000, 0b111, 0b000, 0b000],
        ['+'] = [0b000, 0b010, 0b111, 0b010, 0b000],
        ['e'] = [0b000, 0b111, 0b111, 0b100, 0b111],
        ['%'] = [0b101, 0b001, 0b010, 0b100, 0b101],
    };

    /// <summary>Whether font pixel (<paramref name="x"/>, <paramref name="y"/>) of <paramref name="c"/> is set.</summary>
    public static bool IsSet(char c, int x, int y) =>
        Glyphs.TryGetValue(c, out var rows) && (rows[y] >> (GlyphWidth - 1 - x) & 1) != 0;

    /// <summary>Width of <paramref name="text"/> in font pixels.</summary>
    public static int Measure(string text) => text.Length == 0 ? 0 : text.Length * Advance - 1;
}
