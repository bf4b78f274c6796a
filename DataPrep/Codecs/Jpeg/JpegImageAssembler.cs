using System.Buffers;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// Turns the decoded component planes into the output image row by row: upsamples each component to full
/// resolution (<see cref="JpegUpsampler"/>) and converts to gray or RGB (<see cref="JpegColorConverter"/>).
/// </summary>
internal static class JpegImageAssembler
{
    private enum Upsampling
    {
        None,
        H2V1,
        H1V2,
        H2V2,
        Replicate,
    }

    /// <summary>Builds the 1-channel (gray) or 3-channel (RGB) image of <paramref name="frame"/>.</summary>
    public static Image Assemble(JpegFrame frame, JpegColorSpace colorSpace, string source)
    {
        int width = frame.Width, height = frame.Height;
        int channels = colorSpace == JpegColorSpace.Gray ? 1 : 3;
        JpegComponent[] components = frame.Components;
        var kinds = new Upsampling[components.Length];
        for (int i = 0; i < components.Length; i++)
        {
            JpegComponent c = components[i];
            if (frame.MaxH % c.H != 0 || frame.MaxV % c.V != 0)
                throw new ImageFormatException(source, $"unsupported: fractional sampling ratio {frame.MaxH}/{c.H} x {frame.MaxV}/{c.V} of component {c.Id}");
            int hr = frame.MaxH / c.H, vr = frame.MaxV / c.V;
            kinds[i] = (hr, vr) switch
            {
                (1, 1) => Upsampling.None,
                (2, 1) => Upsampling.H2V1,
                (1, 2) => Upsampling.H1V2,
                (2, 2) => Upsampling.H2V2,
                _ => Upsampling.Replicate,
            };
        }

        byte[] pixels = GC.AllocateUninitializedArray<byte>(checked(width * height * channels));
        var buffers = new byte[components.Length][];
        try
        {
            for (int i = 0; i < components.Length; i++)
                buffers[i] = kinds[i] == Upsampling.None ? [] : ArrayPool<byte>.Shared.Rent(width + 64);

            int stride = width * channels;
            for (int y = 0; y < height; y++)
            {
                Span<byte> output = pixels.AsSpan(y * stride, stride);
                switch (colorSpace)
                {
                    case JpegColorSpace.Gray:
                        Row(frame, 0, kinds[0], y, buffers[0]).CopyTo(output);
                        break;
                    case JpegColorSpace.YCbCr:
                        JpegColorConverter.YCbCrToRgb(
                            Row(frame, 0, kinds[0], y, buffers[0]), Row(frame, 1, kinds[1], y, buffers[1]), Row(frame, 2, kinds[2], y, buffers[2]), output, width);
                        break;
                    case JpegColorSpace.Rgb:
                        JpegColorConverter.InterleaveRgb(
                            Row(frame, 0, kinds[0], y, buffers[0]), Row(frame, 1, kinds[1], y, buffers[1]), Row(frame, 2, kinds[2], y, buffers[2]), output, width);
                        break;
                    case JpegColorSpace.Cmyk:
                        JpegColorConverter.CmykToRgb(
                            Row(frame, 0, kinds[0], y, buffers[0]), Row(frame, 1, kinds[1], y, buffers[1]), Row(frame, 2, kinds[2], y, buffers[2]),
                            Row(frame, 3, kinds[3], y, buffers[3]), output, width);
                        break;
                    default:
                        JpegColorConverter.YcckToRgb(
                            Row(frame, 0, kinds[0], y, buffers[0]), Row(frame, 1, kinds[1], y, buffers[1]), Row(frame, 2, kinds[2], y, buffers[2]),
                            Row(frame, 3, kinds[3], y, buffers[3]), output, width);
                        break;
                }
            }
        }
        finally
        {
            foreach (byte[]? b in buffers)
                if (b is { Length: > 0 }) ArrayPool<byte>.Shared.Return(b);
        }

        return new Image(width, height, channels, pixels);
    }

    /// <summary>Output row <paramref name="y"/> of component <paramref name="index"/> at full resolution (at least the image width).</summary>
    private static ReadOnlySpan<byte> Row(JpegFrame frame, int index, Upsampling kind, int y, byte[] buffer)
    {
        JpegComponent c = frame.Components[index];
        int stride = c.PlaneStride;
        byte[] plane = c.Plane;
        switch (kind)
        {
            case Upsampling.None:
                return plane.AsSpan(y * stride, frame.Width);
            case Upsampling.H2V1:
                JpegUpsampler.H2V1(plane.AsSpan(y * stride, c.Width), c.Width, buffer);
                return buffer;
            case Upsampling.H1V2:
            {
                int near = y >> 1, far = (y & 1) == 0 ? Math.Max(near - 1, 0) : Math.Min(near + 1, c.Height - 1);
                JpegUpsampler.H1V2(plane.AsSpan(near * stride, c.Width), plane.AsSpan(far * stride, c.Width), c.Width, (y & 1) != 0, buffer);
                return buffer;
            }

            case Upsampling.H2V2:
            {
                int near = y >> 1, far = (y & 1) == 0 ? Math.Max(near - 1, 0) : Math.Min(near + 1, c.Height - 1);
                JpegUpsampler.H2V2(plane.AsSpan(near * stride, c.Width), plane.AsSpan(far * stride, c.Width), c.Width, buffer);
                return buffer;
            }

            default:
            {
                int hr = frame.MaxH / c.H, vr = frame.MaxV / c.V;
                JpegUpsampler.Replicate(plane.AsSpan(y / vr * stride, c.Width), c.Width, hr, buffer.AsSpan(0, frame.Width));
                return buffer;
            }
        }
    }
}
