namespace MlPipelines.DataPrep.Codecs.Bmp;

/// <summary>The decoded BMP headers: geometry, pixel format, palette and where the raster starts.</summary>
internal sealed class BmpInfo
{
    public const int Rgb = 0, Rle8 = 1, Rle4 = 2, Bitfields = 3, AlphaBitfields = 6;

    public required int Width { get; init; }

    /// <summary>Rows (always positive); <see cref="TopDown"/> says the order.</summary>
    public required int Height { get; init; }

    public required bool TopDown { get; init; }

    public required int BitsPerPixel { get; init; }

    public required int Compression { get; init; }

    /// <summary>256 RGB entries (768 bytes); missing entries are black.</summary>
    public required byte[] Palette { get; init; }

    public BmpMask Red { get; init; }

    public BmpMask Green { get; init; }

    public BmpMask Blue { get; init; }

    public BmpMask Alpha { get; init; }

    /// <summary>Byte offset of the pixel data in the file.</summary>
    public required int DataOffset { get; init; }

    /// <summary>Whether pixels index the palette (1, 2, 4 or 8 bits per pixel).</summary>
    public bool IsIndexed => BitsPerPixel <= 8;

    /// <summary>Output channels: 4 when a bitfield alpha mask is present, else 3.</summary>
    public int OutputChannels => Alpha.Mask != 0 ? 4 : 3;
}
