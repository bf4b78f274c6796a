namespace MlPipelines.Evaluation.Reports.Charts;

/// <summary>
/// A 3x5 bitmap font for raster charts: digits, capital letters and . - + e % : / ( ) for labels (lower-case letters
/// other than the exponent's e are drawn as capitals by <see cref="Normalize"/>; anything else draws as a gap).
/// </summary>
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
        [':'] = [0b000, 0b010, 0b000, 0b010, 0b000],
        ['/'] = [0b001, 0b001, 0b010, 0b100, 0b100],
        ['('] = [0b010, 0b100, 0b100, 0b100, 0b010],
        [')'] = [0b010, 0b001, 0b001, 0b001, 0b010],
        ['A'] = [0b010, 0b101, 0b111, 0b101, 0b101],
        ['B'] = [0b110, 0b101, 0b110, 0b101, 0b110],
        ['C'] = [0b011, 0b100, 0b100, 0b100, 0b011],
        ['D'] = [0b110, 0b101, 0b101, 0b101, 0b110],
        ['E'] = [0b111, 0b100, 0b110, 0b100, 0b111],
        ['F'] = [0b111, 0b100, 0b110, 0b100, 0b100],
        ['G'] = [0b011, 0b100, 0b101, 0b101, 0b011],
        ['H'] = [0b101, 0b101, 0b111, 0b101, 0b101],
        ['I'] = [0b111, 0b010, 0b010, 0b010, 0b111],
        ['J'] = [0b001, 0b001, 0b001, 0b101, 0b010],
        ['K'] = [0b101, 0b101, 0b110, 0b101, 0b101],
        ['L'] = [0b100, 0b100, 0b100, 0b100, 0b111],
        ['M'] = [0b101, 0b111, 0b111, 0b101, 0b101],
        ['N'] = [0b110, 0b101, 0b101, 0b101, 0b101],
        ['O'] = [0b010, 0b101, 0b101, 0b101, 0b010],
        ['P'] = [0b110, 0b101, 0b110, 0b100, 0b100],
        ['Q'] = [0b010, 0b101, 0b101, 0b110, 0b011],
        ['R'] = [0b110, 0b101, 0b110, 0b101, 0b101],
        ['S'] = [0b011, 0b100, 0b010, 0b001, 0b110],
        ['T'] = [0b111, 0b010, 0b010, 0b010, 0b010],
        ['U'] = [0b101, 0b101, 0b101, 0b101, 0b111],
        ['V'] = [0b101, 0b101, 0b101, 0b101, 0b010],
        ['W'] = [0b101, 0b101, 0b111, 0b111, 0b101],
        ['X'] = [0b101, 0b101, 0b010, 0b101, 0b101],
        ['Y'] = [0b101, 0b101, 0b010, 0b010, 0b010],
        ['Z'] = [0b111, 0b001, 0b010, 0b100, 0b111],
    };

    /// <summary>Label text as the font draws it: letters in capitals.</summary>
    public static string Normalize(string text) => text.ToUpperInvariant();

    /// <summary>Whether font pixel (<paramref name="x"/>, <paramref name="y"/>) of <paramref name="c"/> is set.</summary>
    public static bool IsSet(char c, int x, int y) =>
        Glyphs.TryGetValue(c, out var rows) && (rows[y] >> (GlyphWidth - 1 - x) & 1) != 0;

    /// <summary>Width of <paramref name="text"/> in font pixels.</summary>
    public static int Measure(string text) => text.Length == 0 ? 0 : text.Length * Advance - 1;
}
