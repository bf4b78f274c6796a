using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MlPipelines.Data;

namespace MlPipelines.Model.Format;

/// <summary>
/// Writes a model file: a zip with "manifest.json" (format name and version, input schema, the component tree with
/// options, and the SHA-256 of the tensors) and "tensors.safetensors" (every tensor, stored uncompressed).
/// </summary>
internal sealed class ModelWriter(ComponentCatalog catalog)
{
    private static readonly DateTimeOffset FixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly List<(string Name, string DType, int[] Shape, byte[] Data)> _tensors = [];

    public ComponentCatalog Catalog => catalog;

    public void AddTensor(string name, string dtype, int[] shape, byte[] data) => _tensors.Add((name, dtype, shape, data));

    /// <summary>Serializes <paramref name="model"/> (all of it, before anything is written) and writes the zip.</summary>
    public void Write(Stream output, ITransformer model, DataViewSchema? inputSchema)
    {
        var root = new ModelSaveContext(this, "model", 0);
        model.Save(root);
        root.Finish(model);
        var schema = inputSchema is null ? null : SchemaJson.Write(inputSchema, catalog);

        using var tensorStream = new MemoryStream();
        SafeTensors.Write(tensorStream, _tensors, new Dictionary<string, string> { ["format"] = ModelNames.FormatName });
        var tensorBytes = tensorStream.GetBuffer().AsSpan(0, (int)tensorStream.Length);

        var manifest = new JsonObject
        {
            ["format"] = ModelNames.FormatName,
            ["formatVersion"] = ModelNames.FormatVersion,
            ["tensorsSha256"] = Convert.ToHexStringLower(SHA256.HashData(tensorBytes)),
            ["inputSchema"] = schema,
            ["model"] = root.Node,
        };
        byte[] manifestBytes = Encoding.UTF8.GetBytes(manifest.ToJsonString(ModelJson.Options));

        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        WriteEntry(zip, ModelNames.ManifestEntry, manifestBytes, CompressionLevel.Optimal);
        WriteEntry(zip, ModelNames.TensorsEntry, tensorBytes, CompressionLevel.NoCompression);
    }

    private static void WriteEntry(ZipArchive zip, string name, ReadOnlySpan<byte> data, CompressionLevel level)
    {
        var entry = zip.CreateEntry(name, level);
        entry.LastWriteTime = FixedTime;
        using var s = entry.Open();
        s.Write(data);
    }
}
