using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests.Model;

/// <summary>Builds a representative model file and rewrites model zips for hostile-file tests.</summary>
internal static class ModelFiles
{
    public static MLContext Context()
    {
        var ctx = new MLContext(1);
        ctx.ComponentCatalog.RegisterAssembly(typeof(ModelFiles).Assembly);
        return ctx;
    }

    public static IDataView Data(MLContext ctx) => ctx.Data.LoadFromEnumerable(TestRows.Labeled(40));

    /// <summary>A chain exercising options, text terms, tensors, children, a custom mapping and a training-only step.</summary>
    public static ITransformer Model(MLContext ctx, IDataView data) =>
        ctx.Transforms.Conversion.MapValueToKey("Key", "Label")
            .Append(ctx.Transforms.Conversion.MapValueToKey("WeightKey", "Weight"))
            .Append(ctx.Transforms.Concatenate("All", "Features", "Weight"))
            .Append(ctx.Transforms.CustomMapping<WeightInput, WeightOutput>(WeightMappingFactory.Map, WeightMappingFactory.Contract))
            .Append(new ShiftFeaturesEstimator("Features"))
            .Append(ctx.Transforms.CopyColumns("KeyCopy", "Key"))
            .Fit(data);

    public static byte[] Save(MLContext ctx, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ctx.Model.Save(model, data.Schema, stream);
        return stream.ToArray();
    }

    public static (string Manifest, byte[] Tensors) Open(byte[] file)
    {
        using var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read);
        using var reader = new StreamReader(zip.GetEntry("manifest.json")!.Open(), Encoding.UTF8);
        string manifest = reader.ReadToEnd();
        using var tensors = new MemoryStream();
        zip.GetEntry("tensors.safetensors")!.Open().CopyTo(tensors);
        return (manifest, tensors.ToArray());
    }

    /// <summary>A zip with the given entries; when <paramref name="fixChecksum"/>, the manifest's tensorsSha256 is set to match.</summary>
    public static byte[] Build(string manifest, byte[] tensors, bool fixChecksum, params (string Name, byte[] Data)[] extra)
    {
        if (fixChecksum)
        {
            int at = manifest.IndexOf("\"tensorsSha256\"", StringComparison.Ordinal);
            if (at >= 0)
            {
                int start = manifest.IndexOf('"', manifest.IndexOf(':', at) + 1) + 1;
                int end = manifest.IndexOf('"', start);
                if (start > 0 && end > start)
                    manifest = manifest[..start] + Convert.ToHexStringLower(SHA256.HashData(tensors)) + manifest[end..];
            }
        }
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in new[] { ("manifest.json", Encoding.UTF8.GetBytes(manifest)), ("tensors.safetensors", tensors) }.Concat(extra))
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(data);
            }
        }
        return stream.ToArray();
    }
}
