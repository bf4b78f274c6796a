using Google.Protobuf;
using MlPipelines.Trainers.Onnx.Proto;

namespace MlPipelines.Trainers.Onnx;

/// <summary>
/// Builds an ONNX graph node by node for the exporter's emitters: unique value names, float initializers and typed
/// attributes. Values are named after the module path that produced them, so the exported graph reads like the model.
/// </summary>
public sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    internal OnnxGraphBuilder(GraphProto graph) => _graph = graph;

    /// <summary>A fresh value name based on <paramref name="hint"/>.</summary>
    public string Name(string hint)
    {
        string name = string.IsNullOrEmpty(hint) ? "v" : hint;
        for (int i = 1; !_names.Add(name); i++) name = $"{hint}_{i}";
        return name;
    }

    /// <summary>Adds a float initializer (a weight or constant) and returns its name.</summary>
    public string Initializer(string hint, ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Name(hint), DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values)) };
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian; big-endian export is not implemented.");
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds an int64 initializer (shapes, axes) and returns its name.</summary>
    public string Int64Initializer(string hint, params long[] values)
    {
        var tensor = new TensorProto { Name = Name(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A scalar float constant.</summary>
    public string Scalar(string hint, float value) => Initializer(hint, [value]);

    /// <summary>Adds a node with one output named after <paramref name="hint"/>; returns the output name.</summary>
    public string Node(string opType, string hint, string[] inputs, params (string Name, object Value)[] attributes)
    {
        string output = Name(hint);
        var node = new NodeProto { OpType = opType, Name = output + "/" + opType };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (name, value) in attributes) node.Attribute.Add(Attribute(name, value));
        _graph.Node.Add(node);
        return output;
    }

    private static AttributeProto Attribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case float f:
                (a.Type, a.F) = (AttributeProto.Types.AttributeType.Float, f);
                break;
            case int i:
                (a.Type, a.I) = (AttributeProto.Types.AttributeType.Int, i);
                break;
            case long l:
                (a.Type, a.I) = (AttributeProto.Types.AttributeType.Int, l);
                break;
            case string s:
                (a.Type, a.S) = (AttributeProto.Types.AttributeType.String, ByteString.CopyFromUtf8(s));
                break;
            case int[] ints:
                a.Type = AttributeProto.Types.AttributeType.Ints;
                a.Ints.AddRange(ints.Select(v => (long)v));
                break;
            case float[] floats:
                a.Type = AttributeProto.Types.AttributeType.Floats;
                a.Floats.AddRange(floats);
                break;
            default:
                throw new ArgumentException($"Attribute '{name}' has an unsupported type {value?.GetType().Name}.", nameof(value));
        }
        return a;
    }
}
