using Google.Protobuf;
using MlPipelines.Engine;
using MlPipelines.Trainers.Onnx.Import;
using MlPipelines.Trainers.Onnx.Proto;

namespace MlPipelines.Trainers.Onnx;

/// <summary>
/// Reads an ONNX model (default domain, opsets 1 to 21 (7 and later for broadcasting arithmetic), float tensors) into an <see cref="OnnxGraphModule"/> that scores
/// and fine-tunes like any engine module. Unsupported ops fail with <see cref="NotSupportedException"/> naming the op type,
/// node and opset; malformed or hostile files (absurd dimensions, short tensor data, cycles, missing values, external data
/// outside the model's folder) fail with <see cref="InvalidDataException"/> before any large allocation.
/// </summary>
public static class OnnxImporter
{
    /// <summary>The oldest default-domain opset read (before 7, ops whose broadcasting differed are refused by op).</summary>
    public const int MinOpset = 1;

    /// <summary>The newest default-domain opset read.</summary>
    public const int MaxOpset = 21;

    /// <summary>The ONNX op types the importer handles.</summary>
    public static IReadOnlySet<string> SupportedOps => OpFactory.Supported;

    /// <summary>Loads the model at <paramref name="path"/>; external data is read from its folder unless the options name another.</summary>
    public static OnnxGraphModule Load(string path, OnnxImportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        options ??= new OnnxImportOptions();
        if (options.ExternalDataDirectory is null) options = options with { ExternalDataDirectory = Path.GetDirectoryName(full) };
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Load(stream, options);
    }

    /// <summary>Loads a model from <paramref name="stream"/> (external data only with <see cref="OnnxImportOptions.ExternalDataDirectory"/>).</summary>
    public static OnnxGraphModule Load(Stream stream, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new OnnxImportOptions();
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(stream); }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException("Not an ONNX model: " + e.Message, e); }
        return Build(model, options);
    }

    internal static OnnxGraphModule Build(ModelProto model, OnnxImportOptions options)
    {
        GraphProto graph = model.Graph ?? throw new InvalidDataException("The model has no graph.");
        var defaultOpset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(-1).Max();
        if (defaultOpset < 0) throw new InvalidDataException("The model imports no default-domain opset.");
        if (defaultOpset < MinOpset || defaultOpset > MaxOpset)
            throw new NotSupportedException($"The model uses opset {defaultOpset}; this importer reads opsets {MinOpset} to {MaxOpset}.");
        int opset = (int)defaultOpset;

        var initializers = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var floatInitializers = new HashSet<string>(StringComparer.Ordinal);
        foreach (TensorProto t in graph.Initializer)
        {
            if (string.IsNullOrEmpty(t.Name)) throw new InvalidDataException("An initializer has no name.");
            if (initializers.ContainsKey(t.Name)) throw new InvalidDataException($"Initializer '{t.Name}' appears twice.");
            initializers[t.Name] = OnnxTensorReader.Read(t, $"initializer '{t.Name}'", options);
            if ((TensorProto.Types.DataType)t.DataType is TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Float16)
                floatInitializers.Add(t.Name);
        }
        string[] inputs = [.. graph.Input.Select(i => i.Name).Where(n => !initializers.ContainsKey(n))];
        if (inputs.Any(string.IsNullOrEmpty) || inputs.Distinct().Count() != inputs.Length) throw new InvalidDataException("Graph inputs must have distinct non-empty names.");

        // Every value has one producer: a graph input, an initializer or one node output.
        var available = new HashSet<string>(inputs.Concat(initializers.Keys), StringComparer.Ordinal);
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < graph.Node.Count; k++)
            foreach (string o in graph.Node[k].Output)
            {
                if (o.Length == 0) continue;
                if (available.Contains(o) || !producer.TryAdd(o, k))
                    throw new InvalidDataException($"Value '{o}' is produced twice (node '{graph.Node[k].Name}').");
            }
        foreach (NodeProto node in graph.Node)
            foreach (string i in node.Input)
                if (i.Length > 0 && !available.Contains(i) && !producer.ContainsKey(i))
                    throw new InvalidDataException($"{node.OpType} node '{node.Name}' reads '{i}', which no node, initializer or graph input produces.");
        foreach (ValueInfoProto o in graph.Output)
            if (!available.Contains(o.Name) && !producer.ContainsKey(o.Name))
                throw new InvalidDataException($"Graph output '{o.Name}' is not produced by the graph.");

        int[] order = TopologicalOrder(graph, producer);

        var nodes = new List<OnnxGraphNode>(order.Length);
        var weights = new HashSet<string>(StringComparer.Ordinal);
        var buffers = new HashSet<string>(StringComparer.Ordinal);
        foreach (int k in order)
        {
            NodeProto node = graph.Node[k];
            if (node.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0))
                throw new NotSupportedException($"ONNX op '{node.OpType}' (node '{node.Name}', opset {opset}) has subgraphs, which are not supported.");
            var attributes = new NodeAttributes(node, opset);
            OnnxOp op = OpFactory.Create(attributes, options);
            foreach (int i in op.WeightInputs)
                if (i < node.Input.Count && floatInitializers.Contains(node.Input[i])) weights.Add(node.Input[i]);
            foreach (int i in op.BufferInputs)
                if (i < node.Input.Count && floatInitializers.Contains(node.Input[i])) buffers.Add(node.Input[i]);
            // A bias added to a MatMul/Gemm/Conv result (PyTorch's Linear as MatMul + Add) is a weight too.
            if (node.OpType == "Add" && node.Input.Count == 2)
                for (int i = 0; i < 2; i++)
                    if (floatInitializers.Contains(node.Input[i]) && producer.TryGetValue(node.Input[1 - i], out int p)
                        && graph.Node[p].OpType is "MatMul" or "Gemm" or "Conv")
                        weights.Add(node.Input[i]);
            nodes.Add(new OnnxGraphNode(node.Name, node.OpType, op, [.. node.Input], [.. node.Output]));
        }
        buffers.ExceptWith(weights);
        var metadata = model.MetadataProps.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        return new OnnxGraphModule([.. nodes], initializers, weights, buffers, inputs, [.. graph.Output.Select(o => o.Name)], opset, metadata, options.MaxTensorElements);
    }

    private static int[] TopologicalOrder(GraphProto graph, Dictionary<string, int> producer)
    {
        int n = graph.Node.Count;
        var pending = new int[n];
        var consumers = new List<int>[n];
        for (int k = 0; k < n; k++) consumers[k] = [];
        for (int k = 0; k < n; k++)
            foreach (int p in graph.Node[k].Input.Where(i => i.Length > 0 && producer.ContainsKey(i)).Select(i => producer[i]).Distinct())
            {
                pending[k]++;
                consumers[p].Add(k);
            }
        var ready = new Queue<int>(Enumerable.Range(0, n).Where(k => pending[k] == 0));
        var order = new List<int>(n);
        while (ready.Count > 0)
        {
            int k = ready.Dequeue();
            order.Add(k);
            foreach (int c in consumers[k])
                if (--pending[c] == 0) ready.Enqueue(c);
        }
        if (order.Count != n)
        {
            var stuck = Enumerable.Range(0, n).Where(k => pending[k] > 0).Take(5).Select(k => $"'{graph.Node[k].Name}' ({graph.Node[k].OpType})");
            throw new InvalidDataException($"The graph has a cycle; nodes on or after it: {string.Join(", ", stuck)}.");
        }
        return [.. order];
    }
}
