using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Pnm;

/// <summary>
/// Netpbm decoder: PBM (P1 plain, P4 raw), PGM (P2, P5), PPM (P3, P6) and PAM (P7, depth 1..4).
/// Samples of maxval M are scaled to 8 bits as (v x 255 + M/2) / M, the rounding of Netpbm's pamdepth;
/// 16-bit rasters (M &gt; 255) are big-endian. PBM bits are 1 = black, giving gray 0, and 0 = white, giving 255.
/// Only the first image of a multi-image file is read.
/// </summary>
internal sealed class PnmDecoder : IImageDecoder
{
    /// <inheritdoc />
    public string FormatName => "PNM";

    /// <inheritdoc />
    public bool CanDecode(ReadOnlySpan<byte> header) =>
        header.Length >= 3 && header[0] == (byte)'P' && header[1] >= (byte)'1' && header[1] <= (byte)'7'
        && (PnmHeaderReader.IsSpace(header[2]) || header[2] == (byte)'#');

    /// <inheritdoc />
    public Image Decode(ReadOnlySpan<byte> data, string source, DecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PnmHeader h = PnmHeaderReader.Read(data, source);
        long pixels = (long)h.Width * h.Height;
        if (pixels > options.MaxPixels)
            throw new ImageFormatException(source, $"image of {h.Width}x{h.Height} = {pixels} pixels exceeds the limit of {options.MaxPixels} (DecoderOptions.MaxPixels)");
        int channels = h.OutputChannels;
        if (pixels * channels > Array.MaxLength)
            throw new ImageFormatException(source, $"image of {h.Width}x{h.Height}x{channels} is too large for one array");

        // The smallest raster that could hold the image, checked before allocating.
        long samples = pixels * h.Depth;
        int sampleBytes = h.MaxValue > 255 ? 2 : 1;
        long needed = h.Kind switch
        {
            1 => samples,                                    // one digit per pixel
            2 or 3 => (2 * samples) - 1,                     // a digit and a separator per sample
            4 => ((h.Width + 7L) / 8) * h.Height,
            _ => samples * sampleBytes,
        };
        long available = data.Length - (long)h.DataOffset;
        if (available < needed)
            throw new ImageFormatException(source, $"truncated: the {h.Width}x{h.Height} raster needs at least {needed} bytes, the file has {Math.Max(0, available)}");

        var output = new byte[pixels * channels];
        ReadOnlySpan<byte> raster = data[h.DataOffset..];
        switch (h.Kind)
        {
            case 1:
                ReadPlainBits(data, h, output, source);
                break;
            case 4:
                ReadRawBits(raster, h, output);
                break;
            case 2 or 3:
                ReadPlainSamples(data, h, output, source);
                break;
            default:
                ReadRawSamples(raster, h, output, source);
                break;
        }

        return new Image(h.Width, h.Height, channels, output);
    }

    private static void ReadPlainBits(ReadOnlySpan<byte> data, PnmHeader h, byte[] output, string source)
    {
        int pos = h.DataOffset;
        for (int i = 0; i < output.Length; i++)
        {
            PnmHeaderReader.SkipSpaceAndComments(data, ref pos);
            if (pos >= data.Length) throw new ImageFormatException(source, $"truncated: the raster ends after {i} of {output.Length} pixels");
            byte c = data[pos++];
            if (c is not ((byte)'0' or (byte)'1'))
                throw new ImageFormatException(source, $"invalid PBM pixel character 0x{c:X2} at byte {pos - 1}");
            output[i] = c == (byte)'1' ? (byte)0 : (byte)255;
        }
    }

    private static void ReadRawBits(ReadOnlySpan<byte> raster, PnmHeader h, byte[] output)
    {
        int rowBytes = (h.Width + 7) / 8;
        for (int y = 0; y < h.Height; y++)
        {
            ReadOnlySpan<byte> row = raster.Slice(y * rowBytes, rowBytes);
            int o = y * h.Width;
            for (int x = 0; x < h.Width; x++)
                output[o + x] = ((row[x >> 3] >> (7 - (x & 7))) & 1) != 0 ? (byte)0 : (byte)255;
        }
    }

    private static void ReadPlainSamples(ReadOnlySpan<byte> data, PnmHeader h, byte[] output, string source)
    {
        byte[] scale = ScaleTable(h.MaxValue);
        int pos = h.DataOffset;
        for (int i = 0; i < output.Length; i++)
        {
            int v = PnmHeaderReader.ReadNumber(data, ref pos, source, "next sample");
            if (v > h.MaxValue) throw new ImageFormatException(source, $"sample {i} = {v} exceeds maxval {h.MaxValue}");
            output[i] = scale[v];
        }
    }

    private static void ReadRawSamples(ReadOnlySpan<byte> raster, PnmHeader h, byte[] output, string source)
    {
        long samples = (long)h.Width * h.Height * h.Depth;
        int n = (int)samples;
        // Read samples into place when the layout already matches (depth 1, 3, 4); depth 2 is widened below.
        Span<byte> target = h.Depth == 2 ? new byte[n] : output.AsSpan(0, n);
        if (h.MaxValue == 255)
        {
            raster[..n].CopyTo(target);
        }
        else
        {
            byte[] scale = ScaleTable(h.MaxValue);
            bool wide = h.MaxValue > 255;
            for (int i = 0; i < n; i++)
            {
                int v = wide ? (raster[2 * i] << 8) | raster[(2 * i) + 1] : raster[i];
                if (v > h.MaxValue) throw new ImageFormatException(source, $"sample {i} = {v} exceeds maxval {h.MaxValue}");
                target[i] = scale[v];
            }
        }

        if (h.Depth == 2)
        {
            for (long p = 0; p < (long)h.Width * h.Height; p++)
            {
                byte g = target[(int)(2 * p)], a = target[(int)((2 * p) + 1)];
                int o = (int)(4 * p);
                output[o] = g; output[o + 1] = g; output[o + 2] = g; output[o + 3] = a;
            }
        }
    }

    /// <summary>Maps 0..maxval to 0..255 with Netpbm's rounding.</summary>
    private static byte[] ScaleTable(int maxValue)
    {
        var table = new byte[maxValue + 1];
        for (int v = 0; v <= maxValue; v++) table[v] = (byte)(((v * 255L) + (maxValue / 2)) / maxValue);
        return table;
    }
}
