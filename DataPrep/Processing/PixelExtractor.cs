using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Processing;

/// <summary>Turns images into normalised float tensors for a network, and back into images for viewing.</summary>
public static class PixelExtractor
{
    /// <summary>Writes the image's pixels into <paramref name="destination"/> ([C, H, W] or [H, W, C] floats).</summary>
    public static void Extract(Image image, PixelExtractionOptions options, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int c = options.Channels, plane = image.Width * image.Height;
        if (destination.Length != c * plane)
            throw new ArgumentException($"Destination holds {destination.Length} floats; {c}x{image.Height}x{image.Width} = {c * plane} are needed.", nameof(destination));
        Image src = ImageOps.ConvertChannels(image, c);
        int sc = src.Channels;
        Span<float> scale = stackalloc float[c];
        Span<float> bias = stackalloc float[c];
        for (int ch = 0; ch < c; ch++)
        {
            float std = options.Std is null ? 1 : options.Std[options.Std.Count == 1 ? 0 : ch];
            scale[ch] = options.Scale / std;
            bias[ch] = options.ValueOfZero(ch);
        }
        byte[] px = src.Pixels;
        for (int ch = 0; ch < c; ch++)
        {
            int srcChannel = options.Order == ColorOrder.Bgr && c == 3 ? 2 - ch : ch;
            float s = scale[ch], b = bias[ch];
            if (options.Interleave)
            {
                for (int i = 0; i < plane; i++) destination[i * c + ch] = px[i * sc + srcChannel] * s + b;
            }
            else
            {
                Span<float> dst = destination.Slice(ch * plane, plane);
                for (int i = 0; i < plane; i++) dst[i] = px[i * sc + srcChannel] * s + b;
            }
        }
    }

    /// <summary>Extracts into a new array.</summary>
    public static float[] Extract(Image image, PixelExtractionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new float[options.Channels * image.Width * image.Height];
        Extract(image, options, result);
        return result;
    }

    /// <summary>The inverse of <see cref="Extract(Image, PixelExtractionOptions, Span{float})"/>: undoes normalisation, rounds and clamps to bytes.</summary>
    public static Image ToImage(ReadOnlySpan<float> pixels, int width, int height, PixelExtractionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int c = options.Channels, plane = width * height;
        if (pixels.Length != c * plane)
            throw new ArgumentException($"Got {pixels.Length} floats; {c}x{height}x{width} = {c * plane} were expected.", nameof(pixels));
        var image = new Image(width, height, c);
        byte[] px = image.Pixels;
        for (int ch = 0; ch < c; ch++)
        {
            float mean = options.Mean is null ? 0 : options.Mean[options.Mean.Count == 1 ? 0 : ch];
            float std = options.Std is null ? 1 : options.Std[options.Std.Count == 1 ? 0 : ch];
            int dstChannel = options.Order == ColorOrder.Bgr && c == 3 ? 2 - ch : ch;
            for (int i = 0; i < plane; i++)
            {
                float v = options.Interleave ? pixels[i * c + ch] : pixels[ch * plane + i];
                float raw = ((v * std + mean) - options.Offset) / options.Scale;
                px[i * c + dstChannel] = (byte)Math.Clamp((int)MathF.Round(raw), 0, 255);
            }
        }
        return image;
    }
}
