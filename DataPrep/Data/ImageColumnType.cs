using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Reflection;
using MlPipelines.Data;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Data;

/// <summary>
/// Registers <see cref="Image"/> as a column type ("mlp.image"): <see cref="ImageDataViewType"/> for members of user
/// classes (of known size with <see cref="ImageTypeAttribute"/>), the argument "WxH" (or "" for unknown size) in model files, and a raw on-disk form for the data cache
/// (12-byte header: width, height, channels as little-endian int32, then the HWC bytes).
/// </summary>
public sealed class ImageColumnType : CustomColumnType<Image>
{
    private const int HeaderBytes = 12;

    /// <inheritdoc />
    public override string Name => "mlp.image";

    /// <inheritdoc />
    public override bool CanSerialize => true;

    /// <inheritdoc />
    public override StructuredDataViewType CreateType(MemberInfo? member) =>
        member?.GetCustomAttribute<ImageTypeAttribute>() is { } size ? new ImageDataViewType(size.Height, size.Width) : new ImageDataViewType();

    /// <inheritdoc />
    public override string FormatType(StructuredDataViewType type)
    {
        var image = type as ImageDataViewType ?? throw new ArgumentException($"{type} is not an image type.", nameof(type));
        return image.IsKnownSize ? string.Create(CultureInfo.InvariantCulture, $"{image.Width}x{image.Height}") : string.Empty;
    }

    /// <inheritdoc />
    public override StructuredDataViewType ParseType(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        if (argument.Length == 0) return new ImageDataViewType();
        int x = argument.IndexOf('x', StringComparison.Ordinal);
        if (x <= 0 || x > 6 || argument.Length - x - 1 is <= 0 or > 6
            || !int.TryParse(argument.AsSpan(0, x), NumberStyles.None, CultureInfo.InvariantCulture, out int width)
            || !int.TryParse(argument.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int height)
            || width <= 0 || height <= 0)
            throw new FormatException($"Image type argument '{(argument.Length > 32 ? argument[..32] + "..." : argument)}' is not WIDTHxHEIGHT.");
        return new ImageDataViewType(height, width);
    }

    /// <inheritdoc />
    public override void Serialize(Image value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (value is null)
        {
            output.Write(new byte[HeaderBytes]);
            return;
        }
        Span<byte> header = output.GetSpan(HeaderBytes);
        BinaryPrimitives.WriteInt32LittleEndian(header, value.Width);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], value.Height);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], value.Channels);
        output.Advance(HeaderBytes);
        output.Write(value.Pixels);
    }

    /// <inheritdoc />
    public override Image Deserialize(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderBytes) throw new InvalidDataException("A cached image record is shorter than its header.");
        int width = BinaryPrimitives.ReadInt32LittleEndian(data);
        int height = BinaryPrimitives.ReadInt32LittleEndian(data[4..]);
        int channels = BinaryPrimitives.ReadInt32LittleEndian(data[8..]);
        if (width == 0 && height == 0 && channels == 0 && data.Length == HeaderBytes) return null!;
        if (width <= 0 || height <= 0 || channels is not (1 or 3 or 4) || (long)width * height * channels != data.Length - HeaderBytes)
            throw new InvalidDataException($"A cached image record ({width}x{height}x{channels}, {data.Length} bytes) is corrupt.");
        return new Image(width, height, channels, data[HeaderBytes..].ToArray());
    }

    /// <inheritdoc />
    public override long EstimateSize(Image value) => value is null ? 8 : 64 + value.Pixels.LongLength;
}
