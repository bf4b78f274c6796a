using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlPipelines.Model.Format;

/// <summary>A tensor stored in a safetensors buffer.</summary>
internal sealed record TensorInfo(string DType, int[] Shape, long Offset, long Length);

/// <summary>
/// The safetensors layout: an 8-byte little-endian header length N, N bytes of JSON mapping each tensor name to
/// {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data that follows; "__metadata__" holds
/// strings), then the raw little-endian data, tensors back to back with no holes.
/// </summary>
internal static class SafeTensors
{
    public const long MaxHeaderBytes = 100L << 20;

    /// <summary>Bytes per element of a dtype, or 0 when not supported.</summary>
    public static int ElementSize(string dtype) => dtype switch
    {
        "F32" or "I32" or "U32" => 4,
        "F64" or "I64" => 8,
        "U8" => 1,
        _ => 0,
    };

    /// <summary>The dtype of elements of <typeparamref name="T"/>.</summary>
    public static string DTypeOf<T>() =>
        typeof(T) == typeof(float) ? "F32"
        : typeof(T) == typeof(double) ? "F64"
        : typeof(T) == typeof(int) ? "I32"
        : typeof(T) == typeof(long) ? "I64"
        : typeof(T) == typeof(byte) ? "U8"
        : typeof(T) == typeof(uint) ? "U32"
        : throw new ArgumentException($"Tensors of {typeof(T).Name} cannot be stored; use float, double, int, long, byte or uint.", nameof(T));

    /// <summary>Writes tensors (data already little-endian) with <paramref name="metadata"/>.</summary>
    public static void Write(Stream output, IReadOnlyList<(string Name, string DType, int[] Shape, byte[] Data)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var header = new JsonObject();
        var meta = new JsonObject();
        foreach (var (k, v) in metadata) meta[k] = v;
        header["__metadata__"] = meta;
        long offset = 0;
        foreach (var t in tensors)
        {
            header[t.Name] = new JsonObject
            {
                ["dtype"] = t.DType,
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + t.Data.Length),
            };
            offset += t.Data.Length;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) & ~7;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        output.Write(length);
        output.Write(json);
        for (int i = json.Length; i < padded; i++) output.WriteByte((byte)' ');
        foreach (var t in tensors) output.Write(t.Data);
    }

    /// <summary>Parses and validates the header of <paramref name="buffer"/>[..length]; returns the tensors (offsets absolute in the buffer).</summary>
    public static Dictionary<string, TensorInfo> Parse(byte[] buffer, long length)
    {
        if (length < 8) throw new ModelFormatException($"The tensors entry has {length} bytes, fewer than the 8-byte safetensors header length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
        if (headerLength < 2 || headerLength > (ulong)Math.Min(MaxHeaderBytes, length - 8))
            throw new ModelFormatException($"The safetensors header claims {headerLength} bytes; the entry has {length - 8} after the length field.");
        long dataStart = 8 + (long)headerLength;
        long dataLength = length - dataStart;
        var tensors = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(buffer.AsMemory(8, (int)headerLength), ModelJson.DocumentOptions);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ModelFormatException("The safetensors header is not a JSON object.");
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__") continue;
            if (!ModelNames.IsComponentName(property.Name)) throw new ModelFormatException($"Tensor name '{Clip(property.Name)}' is not allowed.");
            if (tensors.ContainsKey(property.Name)) throw new ModelFormatException($"Tensor '{property.Name}' appears twice.");
            tensors.Add(property.Name, ParseTensor(property, dataStart, dataLength));
        }
        long expected = 0;
        foreach (var t in tensors.Values.OrderBy(t => t.Offset).ThenBy(t => t.Length))
        {
            if (t.Offset - dataStart != expected) throw new ModelFormatException("Tensor data ranges overlap or leave holes.");
            expected += t.Length;
        }
        if (expected != dataLength) throw new ModelFormatException($"Tensors cover {expected} bytes of data but the entry holds {dataLength}.");
        return tensors;
    }

    private static TensorInfo ParseTensor(JsonProperty property, long dataStart, long dataLength)
    {
        var e = property.Value;
        if (e.ValueKind != JsonValueKind.Object
            || !e.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !e.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
            throw new ModelFormatException($"Tensor '{property.Name}' needs dtype, shape and two data_offsets.");
        string dtype = dtypeElement.GetString()!;
        int size = ElementSize(dtype);
        if (size == 0) throw new ModelFormatException($"Tensor '{property.Name}' has unsupported dtype '{Clip(dtype)}'.");
        if (shapeElement.GetArrayLength() > 16) throw new ModelFormatException($"Tensor '{property.Name}' has more than 16 dimensions.");
        var shape = new int[shapeElement.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw new ModelFormatException($"Tensor '{property.Name}' has an invalid dimension.");
            shape[i++] = dim;
            count *= dim;
            if (count > ModelNames.MaxTensorBytes) throw new ModelFormatException($"Tensor '{property.Name}' of shape [{string.Join(", ", shape[..i])}...] is too large.");
        }
        if (!offsetsElement[0].TryGetInt64(out long begin) || !offsetsElement[1].TryGetInt64(out long end) || begin < 0 || end < begin || end > dataLength)
            throw new ModelFormatException($"Tensor '{property.Name}' has data offsets outside the {dataLength} bytes of data.");
        if (end - begin != count * size)
            throw new ModelFormatException($"Tensor '{property.Name}' of shape [{string.Join(", ", shape)}] and dtype {dtype} needs {count * size} bytes; its offsets span {end - begin}.");
        return new TensorInfo(dtype, shape, dataStart + begin, end - begin);
    }

    internal static string Clip(string s) => s.Length <= 64 ? s : s[..64] + "...";
}
