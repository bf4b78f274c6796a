using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using MlPipelines.Data;

namespace MlPipelines.Model.Format;

/// <summary>
/// Reads a model file defensively: bounded entry sizes and counts, safe entry names only, checksummed tensors,
/// validated safetensors offsets before any tensor is copied, registered component names only. Every problem with
/// the content surfaces as a <see cref="ModelFormatException"/>.
/// </summary>
internal sealed class ModelReader
{
    private readonly Dictionary<string, TensorInfo> _tensors;
    private readonly byte[] _tensorBuffer;

    private ModelReader(ComponentCatalog catalog, byte[] tensorBuffer, Dictionary<string, TensorInfo> tensors)
    {
        Catalog = catalog;
        _tensorBuffer = tensorBuffer;
        _tensors = tensors;
    }

    public ComponentCatalog Catalog { get; }

    public static ITransformer Load(Stream stream, ComponentCatalog catalog, out DataViewSchema? inputSchema)
    {
        try
        {
            return LoadCore(stream, catalog, out inputSchema);
        }
        catch (Exception e) when (e is not ModelFormatException and not OutOfMemoryException)
        {
            throw new ModelFormatException($"The model file is corrupt or not a model file: {e.Message}", e);
        }
    }

    public ITransformer LoadComponent(JsonElement node, int depth)
    {
        var context = new ModelLoadContext(this, node, depth);
        var loader = Catalog.FindTransformerLoader(context.ComponentName)
            ?? throw new ModelFormatException(
                $"Unknown component '{context.ComponentName}' in the model file: no loader is registered under that name " +
                "(reference the assembly that defines it, or register it in ctx.ComponentCatalog).");
        try
        {
            return loader(context) ?? throw context.Error("its loader returned null");
        }
        catch (Exception e) when (e is not ModelFormatException and not OutOfMemoryException)
        {
            throw new ModelFormatException($"Component '{context.ComponentName}' in the model file failed to load: {e.Message}", e);
        }
    }

    public TensorInfo GetTensor(string name, out ReadOnlySpan<byte> data)
    {
        if (!_tensors.TryGetValue(name, out var info))
            throw new ModelFormatException($"Tensor '{SafeTensors.Clip(name)}' is listed in the manifest but missing from the tensors entry.");
        data = _tensorBuffer.AsSpan(checked((int)info.Offset), checked((int)info.Length));
        return info;
    }

    private static ITransformer LoadCore(Stream stream, ComponentCatalog catalog, out DataViewSchema? inputSchema)
    {
        if (!stream.CanSeek)
        {
            var (copy, length) = BoundedRead(stream, ModelNames.MaxTensorBytes, 1 << 20);
            stream = new MemoryStream(copy, 0, length, writable: false);
        }
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        var entries = CheckEntries(zip);
        long fileLength = stream.Length;

        var (manifestBytes, manifestLength) = ReadEntry(entries[ModelNames.ManifestEntry], ModelNames.MaxManifestBytes, fileLength);
        using var manifest = JsonDocument.Parse(manifestBytes.AsMemory(0, manifestLength), ModelJson.DocumentOptions);
        var root = manifest.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String
            || format.GetString() != ModelNames.FormatName)
            throw new ModelFormatException($"The manifest does not declare format '{ModelNames.FormatName}'; this is not an MlPipelines model file.");
        if (!root.TryGetProperty("formatVersion", out var versionElement) || !versionElement.TryGetInt32(out int version) || version < 1)
            throw new ModelFormatException("The manifest has no valid format version.");
        if (version > ModelNames.FormatVersion)
            throw new ModelFormatException($"The model file has format version {version}; this library reads version {ModelNames.FormatVersion} and older. Upgrade MlPipelines.");

        var (tensorBytes, tensorLength) = ReadEntry(entries[ModelNames.TensorsEntry], ModelNames.MaxTensorBytes, fileLength);
        if (!root.TryGetProperty("tensorsSha256", out var hash) || hash.ValueKind != JsonValueKind.String
            || !string.Equals(hash.GetString(), Convert.ToHexStringLower(SHA256.HashData(tensorBytes.AsSpan(0, tensorLength))), StringComparison.Ordinal))
            throw new ModelFormatException("The tensors entry does not match the manifest's checksum: the file is corrupt.");
        var reader = new ModelReader(catalog, tensorBytes, SafeTensors.Parse(tensorBytes, tensorLength));

        inputSchema = root.TryGetProperty("inputSchema", out var schema) && schema.ValueKind != JsonValueKind.Null
            ? SchemaJson.Read(schema, catalog) : null;
        if (!root.TryGetProperty("model", out var model)) throw new ModelFormatException("The manifest has no model.");
        return reader.LoadComponent(model, 0);
    }

    private static Dictionary<string, ZipArchiveEntry> CheckEntries(ZipArchive zip)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        int count = 0;
        foreach (var entry in zip.Entries)
        {
            if (++count > ModelNames.MaxEntries) throw new ModelFormatException($"The model file has more than {ModelNames.MaxEntries} entries.");
            string name = entry.FullName;
            if (name.Contains("..", StringComparison.Ordinal) || name.StartsWith('/') || name.Contains('\\', StringComparison.Ordinal)
                || name.Contains(':', StringComparison.Ordinal) || Path.IsPathRooted(name))
                throw new ModelFormatException($"The model file has an unsafe entry name '{SafeTensors.Clip(name)}' (path traversal).");
            if (name is not (ModelNames.ManifestEntry or ModelNames.TensorsEntry))
                throw new ModelFormatException($"The model file has an unexpected entry '{SafeTensors.Clip(name)}'.");
            if (!entries.TryAdd(name, entry)) throw new ModelFormatException($"The model file has two entries named '{name}'.");
        }
        foreach (string required in new[] { ModelNames.ManifestEntry, ModelNames.TensorsEntry })
            if (!entries.ContainsKey(required)) throw new ModelFormatException($"The model file has no '{required}' entry.");
        return entries;
    }

    private static (byte[] Buffer, int Length) ReadEntry(ZipArchiveEntry entry, long limit, long fileLength)
    {
        if (entry.Length < 0 || entry.Length > limit)
            throw new ModelFormatException($"Entry '{entry.FullName}' claims {entry.Length} bytes; at most {limit} are allowed.");
        // Deflate expands at most ~1032:1, so the real size is bounded by the file's size: never trust the claim alone.
        long hint = Math.Min(entry.Length, fileLength * 1100L + 65536);
        using var s = entry.Open();
        return BoundedRead(s, limit, hint);
    }

    /// <summary>Reads a stream to its end into a buffer grown as data actually arrives, failing past <paramref name="limit"/> bytes.</summary>
    private static (byte[] Buffer, int Length) BoundedRead(Stream s, long limit, long initialCapacity)
    {
        var buffer = new byte[Math.Clamp(initialCapacity, 16, limit)];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length >= limit)
                {
                    if (s.ReadByte() >= 0) throw new ModelFormatException($"An entry of the model file is larger than the limit of {limit} bytes.");
                    break;
                }
                Array.Resize(ref buffer, (int)Math.Min(limit, Math.Max(4096L, 2L * buffer.Length)));
            }
            int n = s.Read(buffer, length, buffer.Length - length);
            if (n == 0) break;
            length += n;
        }
        return (buffer, length);
    }
}
