using System.Runtime.InteropServices;
using System.Text.Json;
using MlPipelines.Data;
using MlPipelines.Model.Format;

namespace MlPipelines.Model;

/// <summary>
/// What a component's loader reads back: its version, options, tensors, children and schemas. Everything comes from
/// an untrusted file: check it, and throw <see cref="ModelFormatException"/> (see <see cref="Error"/>) on anything
/// unexpected; other exceptions thrown by a loader are wrapped in one.
/// </summary>
public sealed class ModelLoadContext
{
    private readonly ModelReader _reader;
    private readonly JsonElement _node;
    private readonly int _depth;

    internal ModelLoadContext(ModelReader reader, JsonElement node, int depth)
    {
        _reader = reader;
        _node = node;
        _depth = depth;
        if (node.ValueKind != JsonValueKind.Object) throw new ModelFormatException("A component entry is not a JSON object.");
        ComponentName = node.TryGetProperty("component", out var c) && c.ValueKind == JsonValueKind.String && ModelNames.IsComponentName(c.GetString())
            ? c.GetString()! : throw new ModelFormatException("A component entry has no valid 'component' name.");
        Version = node.TryGetProperty("version", out var v) && v.TryGetInt32(out int version) && version > 0
            ? version : throw new ModelFormatException($"Component '{ComponentName}' has no valid version.");
    }

    /// <summary>The catalog (custom column types, custom mapping factories).</summary>
    public ComponentCatalog Catalog => _reader.Catalog;

    /// <summary>The component's registered name.</summary>
    public string ComponentName { get; }

    /// <summary>The format version the component was saved with.</summary>
    public int Version { get; }

    /// <summary>Throws unless <see cref="Version"/> is at most <paramref name="newestSupported"/>.</summary>
    public void CheckVersion(int newestSupported)
    {
        if (Version > newestSupported)
            throw Error($"it was saved with version {Version}, newer than version {newestSupported} this library reads");
    }

    /// <summary>An exception naming this component and <paramref name="problem"/>.</summary>
    public ModelFormatException Error(string problem) => new($"Component '{ComponentName}' in the model file is invalid: {problem}.");

    /// <summary>The options saved with <see cref="ModelSaveContext.SetOptions{T}"/>.</summary>
    public T GetOptions<T>()
    {
        if (!_node.TryGetProperty("options", out var options)) throw Error("its options are missing");
        try
        {
            return JsonSerializer.Deserialize<T>(options, ModelJson.Options) ?? throw Error("its options are null");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new ModelFormatException($"Component '{ComponentName}' in the model file has invalid options: {e.Message}", e);
        }
    }

    /// <summary>Whether a tensor named <paramref name="name"/> was saved.</summary>
    public bool HasTensor(string name) => Section("tensors").TryGetProperty(name, out _);

    /// <summary>A tensor saved with <see cref="ModelSaveContext.AddTensor{T}"/>; its element type must be <typeparamref name="T"/>.</summary>
    public T[] GetTensor<T>(string name, out int[] shape)
        where T : unmanaged
    {
        if (!Section("tensors").TryGetProperty(name, out var global) || global.ValueKind != JsonValueKind.String)
            throw Error($"tensor '{SafeTensors.Clip(name)}' is missing");
        var info = _reader.GetTensor(global.GetString()!, out var data);
        string dtype = SafeTensors.DTypeOf<T>();
        if (info.DType != dtype) throw Error($"tensor '{name}' holds {info.DType}, not {dtype}");
        var result = MemoryMarshal.Cast<byte, T>(data).ToArray();
        if (!BitConverter.IsLittleEndian) ByteOrder.Swap(MemoryMarshal.AsBytes(result.AsSpan()), System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        shape = (int[])info.Shape.Clone();
        return result;
    }

    /// <summary>The keys of the saved children, in the order they were added.</summary>
    public IReadOnlyList<string> ChildKeys => Section("children").EnumerateObject().Select(p => p.Name).ToArray();

    /// <summary>Loads the child saved under <paramref name="key"/>.</summary>
    public ITransformer LoadChild(string key)
    {
        if (!Section("children").TryGetProperty(key, out var child)) throw Error($"child '{SafeTensors.Clip(key)}' is missing");
        if (_depth >= ModelNames.MaxDepth) throw Error($"components nest deeper than {ModelNames.MaxDepth} levels");
        return _reader.LoadComponent(child, _depth + 1);
    }

    /// <summary>The schema saved under <paramref name="key"/>.</summary>
    public DataViewSchema GetSchema(string key)
    {
        if (!Section("schemas").TryGetProperty(key, out var schema)) throw Error($"schema '{SafeTensors.Clip(key)}' is missing");
        return SchemaJson.Read(schema, Catalog);
    }

    private JsonElement Section(string name) =>
        _node.TryGetProperty(name, out var section) && section.ValueKind == JsonValueKind.Object ? section : throw Error($"its '{name}' section is missing");
}
