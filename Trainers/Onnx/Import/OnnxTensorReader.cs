using System.Buffers.Binary;
using Google.Protobuf;
using MlPipelines.Engine;
using MlPipelines.Trainers.Onnx.Proto;

namespace MlPipelines.Trainers.Onnx.Import;

/// <summary>
/// Turns a TensorProto into a float tensor (integers and booleans become their float values): raw_data or the typed
/// field for its data type, or an external file confined to the model's folder. Checks the shape against the limit and
/// the data length against the shape before allocating.
/// </summary>
internal static class OnnxTensorReader
{
    public static Tensor Read(TensorProto t, string what, OnnxImportOptions options)
    {
        int[] shape = CheckedShape(t.Dims, what, options.MaxTensorElements);
        int count = (int)T.Count(shape);
        var type = (TensorProto.Types.DataType)t.DataType;
        int size = ElementSize(type, what);
        ReadOnlySpan<byte> raw;
        byte[]? external = null;
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            external = ReadExternal(t, what, (long)count * size, options);
            raw = external;
        }
        else raw = t.RawData.Span;
        var data = new float[count];
        if (external is not null || !t.RawData.IsEmpty)
        {
            if (raw.Length < (long)count * size)
                throw new InvalidDataException($"{what} has {raw.Length} bytes of data; its shape [{string.Join(", ", shape)}] of {type} needs {(long)count * size}.");
            for (int i = 0; i < count; i++) data[i] = Decode(type, raw.Slice(i * size, size));
            return Tensor.Adopt(data, shape);
        }
        int available = type switch
        {
            TensorProto.Types.DataType.Float => t.FloatData.Count,
            TensorProto.Types.DataType.Double => t.DoubleData.Count,
            TensorProto.Types.DataType.Int64 => t.Int64Data.Count,
            TensorProto.Types.DataType.Uint32 or TensorProto.Types.DataType.Uint64 => t.Uint64Data.Count,
            _ => t.Int32Data.Count,
        };
        if (available < count)
            throw new InvalidDataException($"{what} has {available} values; its shape [{string.Join(", ", shape)}] needs {count}.");
        for (int i = 0; i < count; i++)
            data[i] = type switch
            {
                TensorProto.Types.DataType.Float => t.FloatData[i],
                TensorProto.Types.DataType.Double => (float)t.DoubleData[i],
                TensorProto.Types.DataType.Int64 => t.Int64Data[i],
                TensorProto.Types.DataType.Uint32 or TensorProto.Types.DataType.Uint64 => t.Uint64Data[i],
                TensorProto.Types.DataType.Float16 => (float)BitConverter.UInt16BitsToHalf((ushort)t.Int32Data[i]),
                _ => t.Int32Data[i],
            };
        return Tensor.Adopt(data, shape);
    }

    public static int[] CheckedShape(IList<long> dims, string what, long max)
    {
        var shape = new int[dims.Count];
        if (dims.Count > 32) throw new InvalidDataException($"{what} has rank {dims.Count}.");
        long n = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (dims[i] < 0 || dims[i] > max) throw new InvalidDataException($"{what} has an invalid dimension {dims[i]}.");
            n *= dims[i];
            if (n > max) throw new InvalidDataException($"{what} has more than {max} elements (shape [{string.Join(", ", dims)}]).");
            shape[i] = (int)dims[i];
        }
        return shape;
    }

    private static int ElementSize(TensorProto.Types.DataType type, string what) => type switch
    {
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
        TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 8,
        TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Float16 => 2,
        TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Bool => 1,
        _ => throw new NotSupportedException($"{what} has data type {type}, which is not supported."),
    };

    private static float Decode(TensorProto.Types.DataType type, ReadOnlySpan<byte> b) => type switch
    {
        TensorProto.Types.DataType.Float => BinaryPrimitives.ReadSingleLittleEndian(b),
        TensorProto.Types.DataType.Double => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
        TensorProto.Types.DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(b),
        TensorProto.Types.DataType.Uint64 => BinaryPrimitives.ReadUInt64LittleEndian(b),
        TensorProto.Types.DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
        TensorProto.Types.DataType.Uint32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
        TensorProto.Types.DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b),
        TensorProto.Types.DataType.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
        TensorProto.Types.DataType.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(b),
        TensorProto.Types.DataType.Int8 => (sbyte)b[0],
        _ => b[0],
    };

    private static byte[] ReadExternal(TensorProto t, string what, long needed, OnnxImportOptions options)
    {
        var entries = t.ExternalData.ToDictionary(e => e.Key, e => e.Value);
        if (!entries.TryGetValue("location", out string? location) || string.IsNullOrEmpty(location))
            throw new InvalidDataException($"{what} is stored externally but names no location.");
        string folder = options.ExternalDataDirectory
            ?? throw new InvalidDataException($"{what} is stored in external file '{location}', but the model was not loaded from a file and no ExternalDataDirectory was given.");
        if (Path.IsPathRooted(location) || location.Replace('\\', '/').Split('/').Any(part => part == ".."))
            throw new InvalidDataException($"{what}: external data location '{location}' must be a relative path inside the model's folder.");
        string root = Path.GetFullPath(folder);
        string full = Path.GetFullPath(Path.Combine(root, location));
        if (!full.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidDataException($"{what}: external data location '{location}' leaves the model's folder.");
        if (!File.Exists(full)) throw new InvalidDataException($"{what}: external data file '{location}' does not exist.");
        long offset = entries.TryGetValue("offset", out string? o) ? ParseLong(o, what, "offset") : 0;
        long length = entries.TryGetValue("length", out string? l) ? ParseLong(l, what, "length") : -1;
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (length < 0) length = stream.Length - offset;
        if (offset < 0 || offset > stream.Length || length > stream.Length - offset)
            throw new InvalidDataException($"{what}: external range offset {offset}, length {length} exceeds file '{location}' ({stream.Length} bytes).");
        if (length < needed) throw new InvalidDataException($"{what} has {length} bytes of external data; its shape needs {needed}.");
        var bytes = new byte[needed];
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static long ParseLong(string s, string what, string key) =>
        long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long v) && v >= 0
            ? v : throw new InvalidDataException($"{what}: external data {key} '{s}' is not a non-negative integer.");

    /// <summary>Parses a serialized TensorProto (the conformance cases' input_*.pb files).</summary>
    public static Tensor ReadSerialized(byte[] bytes, OnnxImportOptions options)
    {
        TensorProto t;
        try { t = TensorProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException("Not a serialized ONNX TensorProto: " + e.Message, e); }
        return Read(t, $"tensor '{t.Name}'", options);
    }
}
