using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// Managed JPEG decoder written from ITU T.81, JFIF, Adobe APP14 and EXIF: baseline and extended sequential and
/// progressive Huffman coding, 8-bit samples, any integral sampling factors, restart markers, 8/16-bit quantisation
/// tables. Output: 1 channel for grayscale, otherwise RGB (JFIF YCbCr, Adobe RGB, CMYK and YCCK converted as djpeg
/// does); pixels equal libjpeg-turbo's default decode (accurate integer IDCT, fancy upsampling). The EXIF orientation
/// is applied when <see cref="DecoderOptions.ApplyExifOrientation"/> is set. Arithmetic coding, lossless,
/// hierarchical and 12-bit JPEGs are rejected as unsupported.
/// Truncation policy: where libjpeg warns and pads missing entropy-coded data with zeros, this decoder throws
/// ("truncated: ..."), as it does for a scan whose data stops early at a marker; a file that lacks only its EOI
/// marker decodes normally. Progressive files are decoded as djpeg decodes a complete file: no block smoothing,
/// which libjpeg applies only while coefficients are still incomplete.
/// </summary>
internal sealed class JpegDecoder : IImageDecoder
{
    /// <inheritdoc />
    public string FormatName => "JPEG";

    /// <inheritdoc />
    public bool CanDecode(ReadOnlySpan<byte> header) =>
        header.Length >= 3 && header[0] == 0xFF && header[1] == 0xD8 && header[2] == 0xFF;

    /// <inheritdoc />
    public Image Decode(ReadOnlySpan<byte> data, string source, DecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        if (data.IsEmpty) throw new ImageFormatException(source, "empty file (0 bytes)");

        var parser = new JpegStreamParser(source, options);
        try
        {
            parser.Parse(data);
            Image image = JpegImageAssembler.Assemble(parser.Frame!, parser.ColorSpace(), source);
            return options.ApplyExifOrientation ? JpegOrientation.Apply(image, parser.Orientation) : image;
        }
        finally
        {
            parser.ReturnBuffers();
        }
    }
}
