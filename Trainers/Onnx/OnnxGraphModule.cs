using MlPipelines.Engine;
using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Trainers.Onnx.Import;
using MlPipelines.Trainers.Onnx.Import.Ops;

namespace MlPipelines.Trainers.Onnx;

/// <summary>
/// An imported ONNX graph as an engine module: nodes run in topological order, each an op with its own forward and
/// backward; the values of a step live in the <see cref="StepContext"/>. Weight initializers (Conv, Gemm, MatMul,
/// normalisation scales and biases, PRelu slopes) are <see cref="Parameter"/>s with their ONNX names as state-dict keys,
/// batch-norm running statistics are buffers, other initializers are constants. In training mode batch normalisation
/// uses batch statistics and updates its running statistics — except a batch normalisation whose scale and bias are both
/// frozen, which normalises with its running statistics (as a frozen BatchNorm2d does); dropout is always the identity.
/// </summary>
public sealed class OnnxGraphModule : Module
{
    private readonly OnnxGraphNode[] _nodes;
    private readonly Dictionary<string, Tensor> _constants;
    private readonly Dictionary<string, Parameter> _parameters = new(StringComparer.Ordinal);
    private readonly long _maxElements;
    private readonly Dictionary<string, Tensor> _initializers;
    private readonly ISet<string> _weights;
    private readonly ISet<string> _buffers;

    /// <summary>
    /// For each node, how many nodes after it run fused into it in pure inference (a Conv's BatchNormalization and/or
    /// activation, and the Constant nodes that feed a Clip's bounds).
    /// </summary>
    private readonly int[] _fused;

    private readonly Relu _relu = new();
    private readonly ActivationLayer _relu6 = new(ActivationKind.Relu6);
    private readonly ActivationLayer _silu = new(ActivationKind.Silu);

    private sealed class StepValues
    {
        public Dictionary<string, Tensor> Values { get; } = new(StringComparer.Ordinal);
        public bool Training { get; set; }
    }

    internal OnnxGraphModule(OnnxGraphNode[] nodes, Dictionary<string, Tensor> initializers, ISet<string> weights, ISet<string> buffers,
        string[] inputs, string[] outputs, int opset, IReadOnlyDictionary<string, string> metadata, long maxElements)
    {
        _nodes = nodes;
        _maxElements = maxElements;
        (_initializers, _weights, _buffers) = (initializers, weights, buffers);
        InputNames = inputs;
        OutputNames = outputs;
        Opset = opset;
        Metadata = metadata;
        _fused = FusionPlan(nodes, outputs);
        _constants = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in initializers)
        {
            if (weights.Contains(name)) _parameters[name] = AddParameter(name, tensor);
            else if (buffers.Contains(name)) _constants[name] = AddBuffer(name, tensor);
            else _constants[name] = tensor;
        }
    }

    /// <summary>The graph's runtime inputs (initializers repeated as inputs by old models are not among them), in order.</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>The graph's outputs, in order.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>The default-domain opset the model was written for.</summary>
    public int Opset { get; }

    /// <summary>The model's metadata_props (class names and preprocessing when exported by this library).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>How many nodes (BatchNormalization, Relu) run inside the convolution before them in pure inference.</summary>
    internal int FusedNodes => _fused.Sum();

    /// <summary>The op types of the nodes in execution order.</summary>
    public IReadOnlyList<string> NodeOpTypes => [.. _nodes.Select(n => n.OpType)];

    /// <summary>Runs the graph on one tensor per input (in <see cref="InputNames"/> order); returns one tensor per output.</summary>
    public IReadOnlyList<Tensor> Run(IReadOnlyList<Tensor> inputs, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(context);
        var state = context.State<StepValues>(this);
        return Execute(inputs, state, IsTraining, context);
    }

    /// <summary>Given one gradient per output (null: none), accumulates parameter gradients and returns one gradient per input (null where none reaches it).</summary>
    public IReadOnlyList<Tensor?> BackwardAll(IReadOnlyList<Tensor?> outputGradients, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(outputGradients);
        ArgumentNullException.ThrowIfNull(context);
        if (outputGradients.Count != OutputNames.Count) throw new ArgumentException($"Expected {OutputNames.Count} output gradients, got {outputGradients.Count}.", nameof(outputGradients));
        var state = context.State<StepValues>(this);
        var values = state.Values;
        if (values.Count == 0) throw new InvalidOperationException("Backward without a recorded forward pass.");
        var op = new OpContext(state.Training, _maxElements, context);
        var grads = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < OutputNames.Count; i++)
            if (outputGradients[i] is { } g) Accumulate(grads, OutputNames[i], g);
        for (int k = _nodes.Length - 1; k >= 0; k--)
        {
            OnnxGraphNode node = _nodes[k];
            var dy = new Tensor?[node.Outputs.Length];
            bool any = false;
            for (int o = 0; o < dy.Length; o++)
                if (node.Outputs[o].Length > 0 && grads.TryGetValue(node.Outputs[o], out Tensor? g)) { dy[o] = g; any = true; }
            if (!any) continue;
            if (dy[0] is null) dy[0] = new Tensor(values[node.Outputs[0]].Shape.ToArray());
            Tensor?[] x = Inputs(node, values);
            Tensor[] y = [.. node.Outputs.Select(o => o.Length > 0 ? values[o] : new Tensor(0))];
            Tensor?[] dx;
            try { dx = node.Op.Backward(x, y, dy, ForNode(node, op)); }
            catch (NotSupportedException e) { throw new NotSupportedException($"{node.OpType} node '{node.Name}': {e.Message}", e); }
            for (int i = 0; i < dx.Length && i < node.Inputs.Length; i++)
                if (dx[i] is { } g && node.Inputs[i].Length > 0 && !_constants.ContainsKey(node.Inputs[i])) Accumulate(grads, node.Inputs[i], g);
        }
        foreach (var (name, p) in _parameters)
            if (p.RequiresGrad && grads.TryGetValue(name, out Tensor? g))
            {
                var d = p.Grad.Span;
                var s = g.Span;
                for (int i = 0; i < d.Length; i++) d[i] += s[i];
            }
        return [.. InputNames.Select(n => grads.TryGetValue(n, out Tensor? g) ? g : null)];
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        if (InputNames.Count != 1) throw new InvalidOperationException($"The graph has {InputNames.Count} inputs; use Run.");
        return Run([input], context)[0];
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        var grads = new Tensor?[OutputNames.Count];
        grads[0] = outputGradient;
        return BackwardAll(grads, context)[0] ?? new Tensor(context.State<StepValues>(this).Values[InputNames[0]].Shape.ToArray());
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        if (InputNames.Count != 1) throw new InvalidOperationException($"The graph has {InputNames.Count} inputs.");
        var outputs = Execute([new Tensor(inputShape)], new StepValues(), training: false, new StepContext { RecordForBackward = false });
        return outputs[0].Shape.ToArray();
    }

    private IReadOnlyList<Tensor> Execute(IReadOnlyList<Tensor> inputs, StepValues state, bool training, StepContext context)
    {
        if (inputs.Count != InputNames.Count) throw new ArgumentException($"The graph takes {InputNames.Count} inputs ({string.Join(", ", InputNames)}), got {inputs.Count}.", nameof(inputs));
        var values = state.Values;
        values.Clear();
        state.Training = training;
        foreach (var (name, t) in _constants) values[name] = t;
        foreach (var (name, p) in _parameters) values[name] = p.Value;
        for (int i = 0; i < inputs.Count; i++) values[InputNames[i]] = inputs[i] ?? throw new ArgumentNullException(nameof(inputs));
        var op = new OpContext(training, _maxElements, context);
        bool fuse = !training && !context.RecordForBackward;
        for (int k = 0; k < _nodes.Length; k++)
        {
            OnnxGraphNode node = _nodes[k];
            if (fuse && _fused[k] > 0 && values[node.Inputs[0]].Rank == 4)
            {
                k = RunFused(k, values, op);
                continue;
            }
            Tensor[] y;
            try { y = node.Op.Forward(Inputs(node, values), ForNode(node, op)); }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
            {
                throw new InvalidDataException($"{node.OpType} node '{node.Name}' (opset {Opset}) failed: {e.Message}", e);
            }
            for (int o = 0; o < node.Outputs.Length && o < y.Length; o++)
                if (node.Outputs[o].Length > 0) values[node.Outputs[o]] = y[o];
        }
        return [.. OutputNames.Select(n => values[n])];
    }

    /// <summary>
    /// Which nodes run fused: a Conv whose output only a BatchNormalization reads (with initializer statistics), and/or whose
    /// (normalised) output only an activation reads — Clip (ReLU6 as PyTorch exports it, its bounds from Constant nodes that
    /// may sit between the two), an activation the engine computes (Relu, LeakyRelu, Sigmoid, Tanh), or Sigmoid and a Mul of
    /// the value by its sigmoid (SiLU as PyTorch exports it) — none of them a graph output. PyTorch's eval-mode export folds
    /// batch norms into the convolutions already, so the activations are what remains.
    /// </summary>
    private static int[] FusionPlan(OnnxGraphNode[] nodes, string[] outputs)
    {
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string name in nodes.SelectMany(n => n.Inputs).Concat(outputs))
            if (name.Length > 0) readers[name] = readers.GetValueOrDefault(name) + 1;
        bool SingleOutput(OnnxGraphNode n) => n.Outputs.Skip(1).All(o => o.Length == 0);
        bool OnlyInto(string value, OnnxGraphNode next) => readers.GetValueOrDefault(value) == 1 && next.Inputs.Length > 0 && next.Inputs[0] == value
            && SingleOutput(next);
        var plan = new int[nodes.Length];
        for (int k = 0; k < nodes.Length; k++)
        {
            if (nodes[k].OpType != "Conv" || nodes[k].Outputs.Length != 1) continue;
            int j = k + 1;
            string value = nodes[k].Outputs[0];
            if (j < nodes.Length && nodes[j].Op is BatchNormOp && nodes[j].Inputs.Length >= 5 && OnlyInto(value, nodes[j]))
                value = nodes[j++].Outputs[0];
            // A residual block's end: an Add of this value and one computed before the convolution, then maybe a Relu.
            if (j < nodes.Length && nodes[j].OpType == "Add" && nodes[j].Inputs.Length == 2 && SingleOutput(nodes[j]) && readers.GetValueOrDefault(value) == 1
                && (nodes[j].Inputs[0] == value) != (nodes[j].Inputs[1] == value))
            {
                value = nodes[j++].Outputs[0];
                if (j < nodes.Length && nodes[j].OpType == "Relu" && OnlyInto(value, nodes[j])) j++;
                plan[k] = j - k - 1;
                continue;
            }
            int next = j;
            while (next < nodes.Length && nodes[next].OpType == "Constant" && nodes[next].Inputs.Length == 0) next++;
            if (next < nodes.Length && nodes[next].OpType == "Clip" && OnlyInto(value, nodes[next])) j = next + 1;
            else if (j < nodes.Length && nodes[j].Op is UnaryOp { Layer: not null } && OnlyInto(value, nodes[j])) j++;
            else if (j + 1 < nodes.Length && nodes[j].OpType == "Sigmoid" && nodes[j + 1].OpType == "Mul" && readers.GetValueOrDefault(value) == 2
                     && nodes[j].Inputs.Length == 1 && nodes[j].Inputs[0] == value && SingleOutput(nodes[j])
                     && readers.GetValueOrDefault(nodes[j].Outputs[0]) == 1 && nodes[j + 1].Inputs.Length == 2 && SingleOutput(nodes[j + 1])
                     && nodes[j + 1].Inputs.Contains(value) && nodes[j + 1].Inputs.Contains(nodes[j].Outputs[0]))
                j += 2;
            plan[k] = j - k - 1;
        }
        return plan;
    }

    /// <summary>
    /// Runs Conv node <paramref name="k"/> with the nodes fused into it; returns the last of them. A Clip whose bounds are
    /// not ReLU6's (or ReLU's) runs on its own after the fused convolution.
    /// </summary>
    private int RunFused(int k, Dictionary<string, Tensor> values, OpContext op)
    {
        OnnxGraphNode conv = _nodes[k];
        int last = k + _fused[k];
        BatchNorm2d? norm = null;
        ActivationLayer? activation = null;
        OnnxGraphNode? unfused = null, add = null, addRelu = null;
        string own = "";
        Tensor?[]? clipInputs = null;
        try
        {
            for (int j = k + 1; j <= last; j++)
            {
                OnnxGraphNode node = _nodes[j];
                if (node.Op is BatchNormOp bn)
                    norm = bn.EvalNorm(values[node.Inputs[1]], values[node.Inputs[2]], values[node.Inputs[3]], values[node.Inputs[4]]);
                else if (node.OpType == "Add")
                {
                    add = node;
                    own = _nodes[j - 1].Outputs[0];
                }
                else if (add is not null)
                    addRelu = node;
                else if (node.OpType == "Constant")
                    values[node.Outputs[0]] = node.Op.Forward([], op)[0];
                else if (node.OpType == "Clip")
                {
                    // Its bounds (the convolution's output, input 0, does not exist yet).
                    clipInputs = new Tensor?[node.Inputs.Length];
                    for (int i = 1; i < clipInputs.Length; i++) clipInputs[i] = node.Inputs[i].Length == 0 ? null : values[node.Inputs[i]];
                    var (lo, hi) = ((ClipOp)node.Op).Bounds(clipInputs);
                    if (lo == 0 && hi == 6) activation = _relu6;
                    else if (lo == 0 && float.IsPositiveInfinity(hi)) activation = _relu;
                    else unfused = node;
                }
                else if (node.OpType == "Sigmoid" && j < last)
                {
                    activation = _silu;
                    j++; // its Mul
                }
                else
                    activation = ((UnaryOp)node.Op).Layer;
            }
            if (add is not null)
            {
                values[_nodes[last].Outputs[0]] = RunResidual(conv, add, own, addRelu, norm, values, op);
                return last;
            }
            Tensor y = ((ConvOp)conv.Op).ForwardFused(Inputs(conv, values), op, norm, activation);
            if (unfused is not null)
            {
                clipInputs![0] = y;
                y = unfused.Op.Forward(clipInputs, op)[0];
            }
            values[_nodes[last].Outputs[0]] = y;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            string with = string.Join(" + ", _nodes[(k + 1)..(last + 1)].Select(n => $"{n.OpType} '{n.Name}'"));
            throw new InvalidDataException($"{conv.OpType} node '{conv.Name}' (with {with}, opset {Opset}) failed: {e.Message}", e);
        }
        return last;
    }

    /// <summary>
    /// A convolution (and its batch norm) ending a residual block: the Add's other operand summed, and the Relu applied, as
    /// each output plane is stored, when that operand has the convolution's output shape; otherwise (a broadcast Add) the
    /// Add and Relu run as nodes after the fused convolution.
    /// </summary>
    private static Tensor RunResidual(OnnxGraphNode conv, OnnxGraphNode add, string own, OnnxGraphNode? relu, BatchNorm2d? norm, Dictionary<string, Tensor> values, OpContext op)
    {
        var convOp = (ConvOp)conv.Op;
        Tensor?[] inputs = Inputs(conv, values);
        bool ownFirst = add.Inputs[0] == own;
        Tensor other = values[add.Inputs[ownFirst ? 1 : 0]];
        if (convOp.OutputShapeIs(inputs, other.Shape)) return convOp.ForwardResidual(inputs, op, norm, other, relu is not null);
        Tensor y = convOp.ForwardFused(inputs, op, norm, null);
        Tensor?[] addInputs = ownFirst ? [y, other] : [other, y];
        y = add.Op.Forward(addInputs, op)[0];
        return relu is null ? y : relu.Op.Forward([y], op)[0];
    }

    /// <summary>A batch normalisation with frozen scale and bias runs as in evaluation: running statistics, none updated.</summary>
    private OpContext ForNode(OnnxGraphNode node, OpContext op) =>
        op.Training && node.OpType == "BatchNormalization" && node.Inputs.Length >= 3
        && node.Inputs[1..3].All(n => !_parameters.TryGetValue(n, out Parameter? p) || !p.RequiresGrad)
        && node.Inputs[1..3].Any(_parameters.ContainsKey)
            ? op with { Training = false } : op;

    /// <summary>
    /// The places the graph can be cut, in execution order: each node by its name and each value a node computes by its own
    /// name, with the value that becomes the cut graph's output.
    /// </summary>
    internal IEnumerable<(string Name, string Value)> CutPoints()
    {
        foreach (OnnxGraphNode node in _nodes)
        {
            string first = node.Outputs.FirstOrDefault(o => o.Length > 0) ?? "";
            if (first.Length == 0) continue;
            if (node.Name.Length > 0) yield return (node.Name, first);
            foreach (string output in node.Outputs)
                if (output.Length > 0) yield return (output, output);
        }
    }

    /// <summary>
    /// The value the graph's own classifier reads (its pooled features): behind the first output, past any trailing
    /// Softmax, LogSoftmax, Flatten, Reshape, Squeeze, Identity or Dropout, a Gemm or a MatMul (with or without a following
    /// Add) whose weight is an initializer. Null when the graph does not end in such a classifier.
    /// </summary>
    internal string? ClassifierInput()
    {
        var producer = new Dictionary<string, OnnxGraphNode>(StringComparer.Ordinal);
        foreach (OnnxGraphNode node in _nodes)
            foreach (string output in node.Outputs)
                if (output.Length > 0) producer[output] = node;
        bool Initializer(string name) => _parameters.ContainsKey(name) || _constants.ContainsKey(name);
        string value = OutputNames[0];
        OnnxGraphNode? at;
        while (producer.TryGetValue(value, out at) && at.OpType is "Softmax" or "LogSoftmax" or "Flatten" or "Reshape" or "Squeeze" or "Identity" or "Dropout")
            value = at.Inputs[0];
        if (at is null) return null;
        if (at.OpType is "Gemm" or "MatMul" && at.Inputs.Length >= 2 && Initializer(at.Inputs[1])) return at.Inputs[0];
        if (at.OpType == "Add" && at.Inputs.Length == 2)
            for (int i = 0; i < 2; i++)
                if (Initializer(at.Inputs[1 - i]) && producer.TryGetValue(at.Inputs[i], out OnnxGraphNode? matmul)
                    && matmul.OpType == "MatMul" && Initializer(matmul.Inputs[1]))
                    return matmul.Inputs[0];
        return null;
    }

    /// <summary>
    /// A copy of the graph that stops at <paramref name="value"/>: only the nodes it depends on, only the initializers they read
    /// (copied, under the same state-dict keys), with the same inputs and <paramref name="value"/> as its one output.
    /// </summary>
    internal OnnxGraphModule Truncate(string value)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal) { value };
        var keep = new bool[_nodes.Length];
        bool produced = InputNames.Contains(value);
        for (int k = _nodes.Length - 1; k >= 0; k--)
        {
            if (!_nodes[k].Outputs.Any(o => o.Length > 0 && needed.Contains(o))) continue;
            keep[k] = true;
            produced = true;
            foreach (string input in _nodes[k].Inputs)
                if (input.Length > 0) needed.Add(input);
        }
        if (!produced) throw new ArgumentException($"The graph computes no value named '{value}'.", nameof(value));
        var initializers = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in _initializers)
            if (needed.Contains(name)) initializers[name] = (_parameters.TryGetValue(name, out Parameter? p) ? p.Value : tensor).Clone();
        return new OnnxGraphModule([.. _nodes.Where((_, k) => keep[k])], initializers, _weights, _buffers, [.. InputNames], [value], Opset, Metadata, _maxElements);
    }

    private static Tensor?[] Inputs(OnnxGraphNode node, Dictionary<string, Tensor> values)
    {
        var x = new Tensor?[node.Inputs.Length];
        for (int i = 0; i < x.Length; i++) x[i] = node.Inputs[i].Length == 0 ? null : values[node.Inputs[i]];
        return x;
    }

    private static void Accumulate(Dictionary<string, Tensor> grads, string name, Tensor g) =>
        grads[name] = grads.TryGetValue(name, out Tensor? existing) ? T.Sum(existing, g) : g;

    private Parameter AddParameter(string name, Tensor value) => Place(name, value, buffer: false) as Parameter ?? throw new InvalidOperationException();

    private Tensor AddBuffer(string name, Tensor value) => (Tensor)Place(name, value, buffer: true);

    /// <summary>Registers under the dotted path of the ONNX name when it is a valid path, else under a flattened unique name.</summary>
    private object Place(string name, Tensor value, bool buffer)
    {
        string[] parts = name.Split('.');
        if (parts.All(p => p.Length > 0))
        {
            try
            {
                if (parts.Length == 1) return buffer ? RegisterBuffer(name, value) : RegisterParameter(name, value, value.Rank > 1);
                ParameterScope scope = Scope(parts[0]);
                for (int i = 1; i < parts.Length - 1; i++) scope = scope.Child(parts[i]);
                return buffer ? scope.AddBuffer(parts[^1], value) : scope.AddParameter(parts[^1], value);
            }
            catch (ArgumentException)
            {
                // A name that clashes with another path: fall through to a flat name.
            }
        }
        string flat = name.Replace('.', '_');
        if (flat.Length == 0) flat = "initializer";
        string unique = flat;
        for (int k = 1; NamedParameters().Any(p => p.Name == unique) || NamedBuffers().Any(b => b.Name == unique) || Children.Any(c => c.Name == unique); k++)
            unique = $"{flat}_{k}";
        return buffer ? RegisterBuffer(unique, value) : RegisterParameter(unique, value, value.Rank > 1);
    }

    private ParameterScope Scope(string name)
    {
        foreach (var (n, m) in Children)
            if (n == name) return m as ParameterScope ?? throw new ArgumentException($"'{name}' is not a scope.");
        return RegisterModule(name, new ParameterScope());
    }
}
