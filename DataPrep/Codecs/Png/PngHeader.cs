namespace MlPipelines.DataPrep.Codecs.Png;

/// <summary>The fields of an IHDR chunk, validated, with the sizes derived from them.</summary>
internal readonly record struct PngHeader(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
{
    public const int Gray = 0, Rgb = 2, Palette = 3, GrayAlpha = 4, Rgba = 6;

    /// <summary>Samples per pixel of the colour type.</summary>
    public int SamplesPerPixel => ColorType switch
    {
        Rgb => 3,
        GrayAlpha => 2,
        Rgba => 4,
        _ => 1,
    };

    /// <summary>Bits per pixel in the raw scanlines.</summary>
    public int BitsPerPixel => SamplesPerPixel * BitDepth;

    /// <summary>Bytes per complete pixel for filtering (at least 1).</summary>
    public int FilterBpp => Math.Max(1, BitsPerPixel / 8);

    /// <summary>Bytes of one scanline of <paramref name="width"/> pixels, without the filter byte.</summary>
    public long RowBytes(long width) => ((width * BitsPerPixel) + 7) / 8;

    /// <summary>Whether the bit depth is allowed for the colour type (specification table 11.1).</summary>
    public static bool IsValidCombination(int colorType, int bitDepth) => colorType switch
    {
        Gray => bitDepth is 1 or 2 or 4 or 8 or 16,
        Palette => bitDepth is 1 or 2 or 4 or 8,
        Rgb or GrayAlpha or Rgba => bitDepth is 8 or 16,
        _ => false,
    };
}
