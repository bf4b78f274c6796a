namespace MlPipelines.DataPrep.Imaging;

/// <summary>Limits and behaviour shared by every image decoder.</summary>
public sealed record DecoderOptions
{
    /// <summary>Default options: 100-megapixel limit, EXIF orientation applied.</summary>
    public static DecoderOptions Default { get; } = new();

    /// <summary>Largest width x height accepted; bigger images (decompression bombs) are rejected before allocating.</summary>
    public long MaxPixels { get; init; } = 100_000_000;

    /// <summary>Whether a JPEG's EXIF orientation is applied so the image appears upright.</summary>
    public bool ApplyExifOrientation { get; init; } = true;
}
