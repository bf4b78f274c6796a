namespace MlPipelines.DataPrep.Codecs.Png;

/// <summary>What the chunk walk found in a PNG file: the header, palette, transparency and where the image data lies.</summary>
internal sealed class PngStructure
{
    public required PngHeader Header { get; init; }

    /// <summary>256 RGBA entries (1,024 bytes); entries past the PLTE chunk are opaque black, as libpng treats out-of-range indices.</summary>
    public required byte[] Palette { get; init; }

    /// <summary>Whether a valid tRNS chunk applies (palette alpha, or a transparent gray/RGB key).</summary>
    public bool HasTransparency { get; init; }

    /// <summary>The transparent gray level (colour type 0) or red/green/blue (colour type 2), at the file's bit depth.</summary>
    public ushort KeyGray { get; init; }

    public ushort KeyRed { get; init; }

    public ushort KeyGreen { get; init; }

    public ushort KeyBlue { get; init; }

    /// <summary>Offsets and lengths of the IDAT chunks' data, in file order.</summary>
    public required List<(int Offset, int Length)> ImageData { get; init; }

    /// <summary>Total bytes of compressed image data.</summary>
    public long ImageDataLength { get; init; }

    /// <summary>Output channels: 1 (gray), 3 (RGB) or 4 (RGBA, whenever alpha or a transparency key exists).</summary>
    public int OutputChannels => Header.ColorType switch
    {
        PngHeader.GrayAlpha or PngHeader.Rgba => 4,
        PngHeader.Gray => HasTransparency ? 4 : 1,
        _ => HasTransparency ? 4 : 3,
    };
}
