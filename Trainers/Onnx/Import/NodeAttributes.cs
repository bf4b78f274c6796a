using MlPipelines.Trainers.Onnx.Proto;

namespace MlPipelines.Trainers.Onnx.Import;

/// <summary>Typed reads of a node's attributes with defaults, plus the node's identity for error messages.</summary>
internal sealed class NodeAttributes(NodeProto node, int opset)
{
    private readonly Dictionary<string, AttributeProto> _byName = node.Attribute.GroupBy(a => a.Name).ToDictionary(g => g.Key, g => g.Last());

    public NodeProto Node => node;

    public int Opset => opset;

    /// <summary>"Conv node 'conv1' (opset 13)".</summary>
    public string Where => $"{node.OpType} node '{node.Name}' (opset {opset})";

    public bool Has(string name) => _byName.ContainsKey(name);

    public long Int(string name, long fallback) => _byName.TryGetValue(name, out var a) ? a.I : fallback;

    public float Float(string name, float fallback) => _byName.TryGetValue(name, out var a) ? a.F : fallback;

    public string String(string name, string fallback) => _byName.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) => _byName.TryGetValue(name, out var a) ? [.. a.Ints] : null;

    public float[]? Floats(string name) => _byName.TryGetValue(name, out var a) ? [.. a.Floats] : null;

    public TensorProto? Tensor(string name) => _byName.TryGetValue(name, out var a) ? a.T : null;

    public InvalidDataException Invalid(string problem) => new($"{Where}: {problem}");
}
