using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlPipelines.Data;
using MlPipelines.Model.Format;

namespace MlPipelines.Model;

/// <summary>
/// What a component writes when a model is saved: its registered name and version (<see cref="SetComponent"/>),
/// options as JSON, binary tensors (stored in the file's safetensors entry), child components and schemas.
/// Names of tensors, children and schemas are 1-128 letters, digits, '_' or '-'.
/// </summary>
public sealed class ModelSaveContext
{
    private readonly ModelWriter _writer;
    private readonly string _path;
    private readonly int _depth;
    private readonly JsonObject _tensors = [];
    private readonly JsonObject _children = [];
    private readonly JsonObject _schemas = [];

    internal ModelSaveContext(ModelWriter writer, string path, int depth)
    {
        _writer = writer;
        _path = path;
        _depth = depth;
    }

    /// <summary>The catalog (custom column types, registered components).</summary>
    public ComponentCatalog Catalog => _writer.Catalog;

    internal JsonObject Node { get; } = [];

    internal string? ComponentName { get; private set; }

    /// <summary>Records the component's registered name (a loader must be registered under it) and format version (1 or more).</summary>
    public void SetComponent(string name, int version)
    {
        if (ComponentName is not null) throw new InvalidOperationException($"SetComponent was already called ('{ComponentName}').");
        if (!ModelNames.IsComponentName(name)) throw new ArgumentException($"Component name '{name}' must be 1-128 letters, digits, '.', '_' or '-'.", nameof(name));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        if (!Catalog.HasTransformerLoader(name))
            throw new InvalidOperationException($"No loader is registered for component '{name}', so a saved model could not be loaded; register one in the ComponentCatalog.");
        ComponentName = name;
        Node["component"] = name;
        Node["version"] = version;
        Node["tensors"] = _tensors;
        Node["children"] = _children;
        Node["schemas"] = _schemas;
    }

    /// <summary>Stores <paramref name="options"/> as JSON (System.Text.Json, enums by name); read back with <see cref="ModelLoadContext.GetOptions{T}"/>.</summary>
    public void SetOptions<T>(T options)
    {
        RequireComponent();
        Node["options"] = JsonSerializer.SerializeToNode(options, ModelJson.Options);
    }

    /// <summary>Stores a tensor of <paramref name="shape"/> (float, double, int, long, byte or uint items), little-endian.</summary>
    public void AddTensor<T>(string name, ReadOnlySpan<T> values, params int[] shape)
        where T : unmanaged
    {
        RequireComponent();
        CheckKey(name, _tensors);
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            count *= d;
        }
        if (count != values.Length) throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {count} items, but {values.Length} were given.", nameof(shape));
        byte[] data = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian) ByteOrder.Swap(data, System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        string global = $"{_path}.{name}";
        _writer.AddTensor(global, SafeTensors.DTypeOf<T>(), (int[])shape.Clone(), data);
        _tensors[name] = global;
    }

    /// <summary>Saves a child component under <paramref name="key"/> (chains save their steps this way).</summary>
    public void AddChild(string key, ITransformer transformer)
    {
        RequireComponent();
        CheckKey(key, _children);
        ArgumentNullException.ThrowIfNull(transformer);
        if (_depth >= ModelNames.MaxDepth) throw new InvalidOperationException($"Components nest deeper than {ModelNames.MaxDepth} levels.");
        var child = new ModelSaveContext(_writer, $"{_path}.{key}", _depth + 1);
        transformer.Save(child);
        child.Finish(transformer);
        _children[key] = child.Node;
    }

    /// <summary>Stores a schema under <paramref name="key"/>.</summary>
    public void AddSchema(string key, DataViewSchema schema)
    {
        RequireComponent();
        CheckKey(key, _schemas);
        ArgumentNullException.ThrowIfNull(schema);
        _schemas[key] = SchemaJson.Write(schema, Catalog);
    }

    internal void Finish(ITransformer transformer)
    {
        if (ComponentName is null) throw new InvalidOperationException($"{transformer.GetType().Name}.Save did not call SetComponent.");
    }

    private void RequireComponent()
    {
        if (ComponentName is null) throw new InvalidOperationException("Call SetComponent first.");
    }

    private static void CheckKey(string key, JsonObject existing)
    {
        if (!ModelNames.IsKey(key)) throw new ArgumentException($"Name '{key}' must be 1-128 letters, digits, '_' or '-'.", nameof(key));
        if (existing.ContainsKey(key)) throw new ArgumentException($"Name '{key}' is already used.", nameof(key));
    }
}
