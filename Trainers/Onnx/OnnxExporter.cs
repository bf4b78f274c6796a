using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Models.Zoo;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Trainers.ImageClassification;
using MlPipelines.Trainers.Onnx.Proto;

namespace MlPipelines.Trainers.Onnx;

/// <summary>How to export: input shape, optional softmax, names, opset and the preprocessing recorded in the metadata.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Channels, height and width of one input image (the batch dimension is dynamic, "N").</summary>
    public required (int Channels, int Height, int Width) InputShape { get; init; }

    /// <summary>Class names, stored in the metadata as a JSON array ("class_names").</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Per-channel mean the pixels were normalised with (metadata "mean"; documentation only).</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Per-channel standard deviation (metadata "std").</summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>End the graph with Softmax, so the output is probabilities rather than logits.</summary>
    public bool IncludeSoftmax { get; init; }

    /// <summary>The graph input's name.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The graph output's name.</summary>
    public string OutputName { get; init; } = "output";

    /// <summary>The default-domain opset (17: LayerNormalization and HardSwish are native).</summary>
    public int Opset { get; init; } = 17;
}

/// <summary>
/// Writes a network built from engine modules as an ONNX model (IR 8) in evaluation form: batch norm with its running
/// statistics, dropout and training-only auxiliary classifiers removed. Each module type has an emitter; register emitters for your own modules with
/// <see cref="Register{TModule}"/>. A module without one fails the export naming its path and type.
/// </summary>
public static class OnnxExporter
{
    /// <summary>Emits <paramref name="module"/> reading <paramref name="input"/> (shape <paramref name="inputShape"/>, batch first); returns the output value's name.</summary>
    public delegate string Emitter<in TModule>(TModule module, string path, string input, int[] inputShape, OnnxGraphBuilder graph) where TModule : Module;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<Type, Func<Module, string, string, int[], OnnxGraphBuilder, string>> Emitters = [];

    static OnnxExporter()
    {
        Register<Sequential>(EmitSequential);
        Register<Conv2d>(EmitConv);
        Register<Linear>(EmitLinear);
        Register<BatchNorm2d>(EmitBatchNorm);
        Register<LayerNorm>((m, p, x, s, g) => g.Node("LayerNormalization", p, [x, g.Initializer(p + ".weight", Own(m, "weight") ?? Ones(m.NormalizedSize), m.NormalizedSize),
            g.Initializer(p + ".bias", Own(m, "bias") ?? new float[m.NormalizedSize], m.NormalizedSize)], ("axis", -1), ("epsilon", m.Eps)));
        Register<MaxPool2d>((m, p, x, s, g) => g.Node("MaxPool", p, [x], ("kernel_shape", new[] { m.KernelSize, m.KernelSize }),
            ("strides", new[] { m.Stride, m.Stride }), ("pads", Enumerable.Repeat(m.Padding, 4).ToArray()), ("dilations", new[] { m.Dilation, m.Dilation }),
            ("ceil_mode", m.CeilMode ? 1 : 0)));
        Register<AvgPool2d>((m, p, x, s, g) => g.Node("AveragePool", p, [x], ("kernel_shape", new[] { m.KernelSize, m.KernelSize }),
            ("strides", new[] { m.Stride, m.Stride }), ("pads", Enumerable.Repeat(m.Padding, 4).ToArray()), ("ceil_mode", m.CeilMode ? 1 : 0),
            ("count_include_pad", m.CountIncludePad ? 1 : 0)));
        Register<GlobalAvgPool2d>((m, p, x, s, g) => g.Node("Flatten", p, [g.Node("GlobalAveragePool", p + ".pool", [x])], ("axis", 1)));
        Register<GlobalMaxPool2d>((m, p, x, s, g) => g.Node("Flatten", p, [g.Node("GlobalMaxPool", p + ".pool", [x])], ("axis", 1)));
        Register<Flatten>((m, p, x, s, g) => g.Node("Flatten", p, [x], ("axis", 1)));
        Register<Dropout>((m, p, x, s, g) => x);
        Register<Identity>((m, p, x, s, g) => x);
        Register<ActivationLayer>(EmitActivation);
        Register<BasicBlock>(EmitBasicBlock);
        Register<Bottleneck>(EmitBottleneck);
        Register<Residual>((m, p, x, s, g) =>
            g.Node("Add", p, [Emit(m.Main, $"{p}.{Name(m, m.Main)}", x, s, g), m.Shortcut is null ? x : Emit(m.Shortcut, $"{p}.{Name(m, m.Shortcut)}", x, s, g)]));
        Register<InvertedResidual>((m, p, x, s, g) => WithSkip(m, p, x, s, g, m.UsesResidual));
        Register<MBConv>((m, p, x, s, g) => WithSkip(m, p, x, s, g, m.UsesResidual));
        Register<StochasticDepth>((m, p, x, s, g) => x);
        Register<SqueezeExcitation>(EmitSqueezeExcitation);
        Register<ChannelConcat>((m, p, x, s, g) =>
            g.Node("Concat", p, [.. m.Children.Select(c => Emit(c.Value, $"{p}.{c.Name}", x, s, g))], ("axis", 1)));
        Register<AdaptiveAvgPool2d>(EmitAdaptiveAvgPool);
        Register<LocalResponseNorm>((m, p, x, s, g) => g.Node("LRN", p, [x], ("size", m.Size), ("alpha", m.Alpha), ("beta", m.Beta), ("bias", m.K)));
        // GoogLeNet's auxiliary classifiers only run in training: the evaluation graph passes their input through.
        Register<AuxiliaryClassifier>((m, p, x, s, g) => x);
        Register<TransposeLastTwo>(EmitTransposeLastTwo);
        Register<TokenMean>((m, p, x, s, g) => g.Node("ReduceMean", p, [x], ("axes", new[] { 1 }), ("keepdims", 0)));
        Register<MixerBlock>(EmitMixerBlock);
        Register<EncoderBlock>(EmitEncoderBlock);
        Register<MultiheadSelfAttention>(EmitSelfAttention);
        Register<TransformerEncoder>((m, p, x, s, g) =>
        {
            var c = ChildrenOf(m);
            string z = g.Node("Add", p + ".position", [x, g.Initializer(p + ".pos_embedding", OwnParameter(m, "pos_embedding"), 1, m.SequenceLength, m.HiddenDim)]);
            return Emit(c["ln"], p + ".ln", Emit(c["layers"], p + ".layers", z, s, g), s, g);
        });
        Register<VisionTransformer>(EmitVisionTransformer);
    }

    /// <summary>Registers (or replaces) the emitter of <typeparamref name="TModule"/>; subclasses without their own use it too.</summary>
    public static void Register<TModule>(Emitter<TModule> emitter) where TModule : Module
    {
        ArgumentNullException.ThrowIfNull(emitter);
        lock (Gate) Emitters[typeof(TModule)] = (m, p, x, s, g) => emitter((TModule)m, p, x, s, g);
    }

    /// <summary>Exports a trained classifier with its input shape and class names (and softmax output unless told otherwise).</summary>
    public static void Export(ImageClassificationTransformer classifier, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        options ??= new OnnxExportOptions { InputShape = classifier.InputShape, ClassNames = classifier.ClassNames, IncludeSoftmax = true };
        Export(classifier.Model, options, path);
    }

    /// <summary>Writes the ONNX model to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Export(Module model, OnnxExportOptions options, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var proto = Build(model, options);
        IO.AtomicFile.Write(path, proto.WriteTo);
    }

    /// <summary>Writes the ONNX model to <paramref name="stream"/>.</summary>
    public static void Export(Module model, OnnxExportOptions options, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Build(model, options).WriteTo(stream);
    }

    internal static ModelProto Build(Module model, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var (c, h, w) = options.InputShape;
        if (c < 1 || h < 1 || w < 1) throw new ArgumentOutOfRangeException(nameof(options), options.InputShape, "The input shape must be positive.");
        if (options.Opset < 17) throw new ArgumentOutOfRangeException(nameof(options), options.Opset, "Export writes opset 17 or later.");
        int[] inputShape = [1, c, h, w];
        int[] outputShape = model.OutputShape(inputShape);
        var graph = new GraphProto { Name = model.GetType().Name };
        var builder = new OnnxGraphBuilder(graph);
        string input = builder.Name(options.InputName);
        graph.Input.Add(ValueInfo(input, [-1, c, h, w]));
        string output = Emit(model, "model", input, inputShape, builder);
        if (options.IncludeSoftmax) output = builder.Node("Softmax", "probabilities", [output], ("axis", -1));
        string final = builder.Name(options.OutputName);
        graph.Node.Add(new NodeProto { OpType = "Identity", Name = final + "/Identity", Input = { output }, Output = { final } });
        graph.Output.Add(ValueInfo(final, [-1, .. outputShape[1..]]));

        var proto = new ModelProto
        {
            IrVersion = 8, ProducerName = "MlPipelines", ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = graph, OpsetImport = { new OperatorSetIdProto { Domain = "", Version = options.Opset } },
        };
        void Meta(string key, string value) => proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        Meta("input_shape", string.Create(CultureInfo.InvariantCulture, $"[{c},{h},{w}]"));
        Meta("input_layout", "NCHW float32");
        Meta("output", options.IncludeSoftmax ? "probabilities" : "logits");
        if (options.ClassNames is { } names) Meta("class_names", JsonSerializer.Serialize(names));
        if (options.Mean is { } mean) Meta("mean", JsonSerializer.Serialize(mean));
        if (options.Std is { } std) Meta("std", JsonSerializer.Serialize(std));
        return proto;
    }

    /// <summary>Emits one module through its registered emitter (used by emitters of composite modules).</summary>
    public static string Emit(Module module, string path, string input, int[] inputShape, OnnxGraphBuilder graph)
    {
        ArgumentNullException.ThrowIfNull(module);
        Func<Module, string, string, int[], OnnxGraphBuilder, string>? emitter = null;
        lock (Gate)
            for (var t = module.GetType(); t is not null && emitter is null; t = t.BaseType)
                Emitters.TryGetValue(t, out emitter);
        if (emitter is null)
            throw new NotSupportedException($"Module '{path}' ({module.GetType().Name}) has no ONNX emitter; register one with OnnxExporter.Register.");
        return emitter(module, path, input, inputShape, graph);
    }

    private static string EmitSequential(Sequential m, string path, string x, int[] shape, OnnxGraphBuilder g)
    {
        foreach (var (name, child) in m.Children)
        {
            x = Emit(child, path + "." + name, x, shape, g);
            shape = child.OutputShape(shape);
        }
        return x;
    }

    private static string EmitConv(Conv2d m, string p, string x, int[] s, OnnxGraphBuilder g)
    {
        var w = m.Weight.Value;
        var inputs = new List<string> { x, g.Initializer(p + ".weight", w.Span, [.. w.Shape.ToArray().Select(d => (long)d)]) };
        if (m.Bias is { } b) inputs.Add(g.Initializer(p + ".bias", b.Value.Span, m.OutChannels));
        return g.Node("Conv", p, [.. inputs], ("kernel_shape", new[] { m.Kernel.H, m.Kernel.W }), ("strides", new[] { m.Stride.H, m.Stride.W }),
            ("pads", new[] { m.Padding.Top, m.Padding.Left, m.Padding.Bottom, m.Padding.Right }), ("dilations", new[] { m.Dilation.H, m.Dilation.W }),
            ("group", m.Groups));
    }

    /// <summary>Gemm on [N, in]; on [..., in] (tokens) a MatMul with the transposed weights plus the bias, as the engine's Linear.</summary>
    private static string EmitLinear(Linear m, string p, string x, int[] s, OnnxGraphBuilder g)
    {
        if (s.Length != 2)
        {
            string product = g.Node("MatMul", p + ".matmul", [x, g.Initializer(p + ".weight_t", Transposed(m.Weight.Value.Span, m.OutFeatures, m.InFeatures), m.InFeatures, m.OutFeatures)]);
            return m.Bias is { } bias ? g.Node("Add", p, [product, g.Initializer(p + ".bias", bias.Value.Span, m.OutFeatures)]) : product;
        }
        var inputs = new List<string> { x, g.Initializer(p + ".weight", m.Weight.Value.Span, m.OutFeatures, m.InFeatures) };
        if (m.Bias is { } b) inputs.Add(g.Initializer(p + ".bias", b.Value.Span, m.OutFeatures));
        return g.Node("Gemm", p, [.. inputs], ("transB", 1));
    }

    private static string EmitBatchNorm(BatchNorm2d m, string p, string x, int[] s, OnnxGraphBuilder g) =>
        g.Node("BatchNormalization", p, [x, g.Initializer(p + ".weight", Own(m, "weight") ?? Ones(m.Channels), m.Channels),
            g.Initializer(p + ".bias", Own(m, "bias") ?? new float[m.Channels], m.Channels), g.Initializer(p + ".running_mean", m.RunningMean.Span, m.Channels),
            g.Initializer(p + ".running_var", m.RunningVar.Span, m.Channels)], ("epsilon", m.Eps));

    private static string EmitActivation(ActivationLayer m, string p, string x, int[] s, OnnxGraphBuilder g)
    {
        switch (m.Kind)
        {
            case ActivationKind.Relu: return g.Node("Relu", p, [x]);
            case ActivationKind.LeakyRelu: return g.Node("LeakyRelu", p, [x], ("alpha", m.NegativeSlope));
            case ActivationKind.Relu6: return g.Node("Clip", p, [x, g.Scalar(p + ".min", 0), g.Scalar(p + ".max", 6)]);
            case ActivationKind.Sigmoid: return g.Node("Sigmoid", p, [x]);
            case ActivationKind.Tanh: return g.Node("Tanh", p, [x]);
            case ActivationKind.HardSigmoid: return g.Node("HardSigmoid", p, [x], ("alpha", 1f / 6), ("beta", 0.5f));
            case ActivationKind.HardSwish: return g.Node("HardSwish", p, [x]);
            case ActivationKind.Silu: return g.Node("Mul", p, [x, g.Node("Sigmoid", p + ".sigmoid", [x])]);
            case ActivationKind.Gelu:
            {
                // 0.5 x (1 + erf(x / sqrt 2))
                string erf = g.Node("Erf", p + ".erf", [g.Node("Div", p + ".scaled", [x, g.Scalar(p + ".sqrt2", MathF.Sqrt(2))])]);
                string half = g.Node("Mul", p + ".half", [x, g.Scalar(p + ".0_5", 0.5f)]);
                return g.Node("Mul", p, [half, g.Node("Add", p + ".one_plus", [erf, g.Scalar(p + ".1", 1)])]);
            }
            case ActivationKind.GeluTanh:
            {
                // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
                string cube = g.Node("Mul", p + ".x3", [g.Node("Mul", p + ".x2", [x, x]), x]);
                string inner = g.Node("Add", p + ".inner", [x, g.Node("Mul", p + ".c_x3", [cube, g.Scalar(p + ".c", 0.044715f)])]);
                string tanh = g.Node("Tanh", p + ".tanh", [g.Node("Mul", p + ".k_inner", [inner, g.Scalar(p + ".k", MathF.Sqrt(2 / MathF.PI))])]);
                string half = g.Node("Mul", p + ".half", [x, g.Scalar(p + ".0_5", 0.5f)]);
                return g.Node("Mul", p, [half, g.Node("Add", p + ".one_plus", [tanh, g.Scalar(p + ".1", 1)])]);
            }
            default:
                throw new NotSupportedException($"Activation {m.Kind} of '{p}' has no ONNX form.");
        }
    }

    /// <summary>relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the shortcut being the block's one other child (or identity).</summary>
    private static string EmitBasicBlock(BasicBlock m, string p, string x, int[] s, OnnxGraphBuilder g)
    {
        var children = m.Children.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
        string[] main = ["conv1", "bn1", "conv2", "bn2"];
        string h = x;
        int[] shape = s;
        foreach (string name in main)
        {
            var child = children[name];
            h = Emit(child, $"{p}.{name}", h, shape, g);
            shape = child.OutputShape(shape);
            if (name == "bn1") h = g.Node("Relu", $"{p}.relu1", [h]);
        }
        var shortcut = m.Children.Where(c => !main.Contains(c.Name)).ToList();
        string skip = shortcut.Count switch
        {
            0 => x,
            1 => Emit(shortcut[0].Value, $"{p}.{shortcut[0].Name}", x, s, g),
            _ => throw new NotSupportedException($"BasicBlock '{p}' has more than one shortcut child."),
        };
        return g.Node("Relu", p, [g.Node("Add", p + ".sum", [h, skip])]);
    }

    /// <summary>relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x))))))) + downsample(x)).</summary>
    private static string EmitBottleneck(Bottleneck m, string p, string x, int[] s, OnnxGraphBuilder g)
    {
        var children = m.Children.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
        string h = x;
        int[] shape = s;
        foreach (string name in new[] { "conv1", "bn1", "conv2", "bn2", "conv3", "bn3" })
        {
            h = Emit(children[name], $"{p}.{name}", h, shape, g);
            shape = children[name].OutputShape(shape);
            if (name is "bn1" or "bn2") h = g.Node("Relu", $"{p}.relu_{name}", [h]);
        }
        string skip = children.TryGetValue("downsample", out var down) ? Emit(down, $"{p}.downsample", x, s, g) : x;
        return g.Node("Relu", p, [g.Node("Add", p + ".sum", [h, skip])]);
    }

    /// <summary>A block whose children run in order, plus the input when <paramref name="residual"/> (stochastic depth is identity in eval).</summary>
    private static string WithSkip(Module m, string p, string x, int[] s, OnnxGraphBuilder g, bool residual)
    {
        string h = x;
        int[] shape = s;
        foreach (var (name, child) in m.Children)
        {
            h = Emit(child, $"{p}.{name}", h, shape, g);
            shape = child.OutputShape(shape);
        }
        return residual ? g.Node("Add", p, [h, x]) : h;
    }

    /// <summary>x * scale(fc2(act(fc1(mean over H, W of x)))), the gates broadcast over H and W.</summary>
    private static string EmitSqueezeExcitation(SqueezeExcitation m, string p, string x, int[] s, OnnxGraphBuilder g)
    {
        var children = m.Children.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
        int[] pooled = [s[0], s[1], 1, 1];
        string h = g.Node("GlobalAveragePool", p + ".pool", [x]);
        h = Emit(children["fc1"], p + ".fc1", h, pooled, g);
        h = EmitActivation(new ActivationLayer(m.Activation), p + ".act", h, pooled, g);
        h = Emit(children["fc2"], p + ".fc2", h, children["fc1"].OutputShape(pooled), g);
        h = EmitActivation(new ActivationLayer(m.ScaleActivation), p + ".gate", h, pooled, g);
        return g.Node("Mul", p, [x, h]);
    }

    private static string EmitAdaptiveAvgPool(AdaptiveAvgPool2d m, string p, string x, int[] s, OnnxGraphBuilder g)
    {
        int h = s[2], w = s[3];
        if (m.OutputHeight == 1 && m.OutputWidth == 1) return g.Node("GlobalAveragePool", p, [x]);
        if (h == m.OutputHeight && w == m.OutputWidth) return x;
        if (h % m.OutputHeight == 0 && w % m.OutputWidth == 0)
        {
            int kh = h / m.OutputHeight, kw = w / m.OutputWidth;
            return g.Node("AveragePool", p, [x], ("kernel_shape", new[] { kh, kw }), ("strides", new[] { kh, kw }));
        }
        // Uneven or overlapping bins (e.g. a 1x1 map pooled "up" to 7x7): the pooling is linear and separable, rows then
        // columns, so it is two matrix products with bin-averaging matrices, A_h [oh, h] x X [N, C, h, w] x A_w^T [w, ow].
        string rows = g.Node("MatMul", p + ".rows", [g.Initializer(p + ".row_bins", BinMatrix(h, m.OutputHeight, transpose: false), m.OutputHeight, h), x]);
        return g.Node("MatMul", p, [rows, g.Initializer(p + ".column_bins", BinMatrix(w, m.OutputWidth, transpose: true), w, m.OutputWidth)]);
    }

    /// <summary>
    /// The [outSize, inSize] matrix whose row i averages PyTorch's adaptive bin i, input indices floor(i in / out) to
    /// ceil((i + 1) in / out) - 1 ([inSize, outSize] when <paramref name="transpose"/>).
    /// </summary>
    private static float[] BinMatrix(int inSize, int outSize, bool transpose)
    {
        var a = new float[outSize * inSize];
        for (int i = 0; i < outSize; i++)
        {
            int start = (int)((long)i * inSize / outSize), end = (int)(((long)(i + 1) * inSize + outSize - 1) / outSize);
            for (int j = start; j < end; j++) a[transpose ? j * outSize + i : i * inSize + j] = 1f / (end - start);
        }
        return a;
    }

    /// <summary>[N, C, H, W] to tokens [N, H x W, C] (flattening first), or [..., A, B] to [..., B, A].</summary>
    private static string EmitTransposeLastTwo(TransposeLastTwo m, string p, string x, int[] s, OnnxGraphBuilder g)
    {
        int rank = s.Length;
        if (m.FlattenImage && rank == 4)
        {
            x = g.Node("Reshape", p + ".flatten", [x, g.Int64Initializer(p + ".flat_shape", 0, 0, -1)]);
            rank = 3;
        }
        int[] perm = [.. Enumerable.Range(0, rank)];
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        return g.Node("Transpose", p, [x], ("perm", perm));
    }

    /// <summary>y = x + transpose(mlp_tokens(transpose(norm1(x)))), then y + mlp_channels(norm2(y)) on tokens [N, S, C].</summary>
    private static string EmitMixerBlock(MixerBlock m, string p, string x, int[] s, OnnxGraphBuilder g)
    {
        var c = ChildrenOf(m);
        int[] swap = [0, 2, 1];
        string h = g.Node("Transpose", p + ".to_channels", [Emit(c["norm1"], p + ".norm1", x, s, g)], ("perm", swap));
        h = g.Node("Transpose", p + ".to_tokens", [Emit(c["mlp_tokens"], p + ".mlp_tokens", h, [s[0], s[2], s[1]], g)], ("perm", swap));
        string y = g.Node("Add", p + ".token_mixed", [x, h]);
        return g.Node("Add", p, [y, Emit(c["mlp_channels"], p + ".mlp_channels", Emit(c["norm2"], p + ".norm2", y, s, g), s, g)]);
    }

    /// <summary>y = x + self_attention(ln_1(x)), then y + mlp(ln_2(y)) (dropout is the identity in evaluation).</summary>
    private static string EmitEncoderBlock(EncoderBlock m, string p, string x, int[] s, OnnxGraphBuilder g)
    {
        var c = ChildrenOf(m);
        string y = g.Node("Add", p + ".attended", [x, Emit(c["self_attention"], p + ".self_attention", Emit(c["ln_1"], p + ".ln_1", x, s, g), s, g)]);
        return g.Node("Add", p, [y, Emit(c["mlp"], p + ".mlp", Emit(c["ln_2"], p + ".ln_2", y, s, g), s, g)]);
    }

    /// <summary>
    /// Multi-head self-attention on [N, L, D]: qkv = x W_in^T + b_in; per head softmax(Q K^T / sqrt(D / H)) V; the heads
    /// joined back to [N, L, D] and projected by out_proj.
    /// </summary>
    private static string EmitSelfAttention(MultiheadSelfAttention m, string p, string x, int[] s, OnnxGraphBuilder g)
    {
        int d = m.EmbedDim, heads = m.Heads, dh = d / heads;
        string qkv = g.Node("MatMul", p + ".qkv_matmul", [x, g.Initializer(p + ".in_proj_weight_t", Transposed(OwnParameter(m, "in_proj_weight"), 3 * d, d), d, 3 * d)]);
        qkv = g.Node("Add", p + ".qkv", [qkv, g.Initializer(p + ".in_proj_bias", OwnParameter(m, "in_proj_bias"), 3 * d)]);
        string perHead = g.Int64Initializer(p + ".head_shape", 0, 0, heads, dh);
        string axis = g.Int64Initializer(p + ".feature_axis", 2);
        string Part(int i, string name, int[] perm)
        {
            string part = g.Node("Slice", $"{p}.{name}_slice", [qkv, g.Int64Initializer($"{p}.{name}_start", i * d), g.Int64Initializer($"{p}.{name}_end", (i + 1) * d), axis]);
            return g.Node("Transpose", $"{p}.{name}", [g.Node("Reshape", $"{p}.{name}_heads", [part, perHead])], ("perm", perm));
        }
        string q = Part(0, "q", [0, 2, 1, 3]), kT = Part(1, "k_t", [0, 2, 3, 1]), v = Part(2, "v", [0, 2, 1, 3]);
        string scores = g.Node("Mul", p + ".scores", [g.Node("MatMul", p + ".q_k", [q, kT]), g.Scalar(p + ".scale", 1 / MathF.Sqrt(dh))]);
        string attended = g.Node("MatMul", p + ".attended", [g.Node("Softmax", p + ".probabilities", [scores], ("axis", -1)), v]);
        attended = g.Node("Reshape", p + ".joined", [g.Node("Transpose", p + ".heads_last", [attended], ("perm", new[] { 0, 2, 1, 3 })), g.Int64Initializer(p + ".joined_shape", 0, 0, d)]);
        return Emit(ChildrenOf(m)["out_proj"], p + ".out_proj", attended, s, g);
    }

    /// <summary>Patch tokens from conv_proj, the class token prepended (expanded over the batch), the encoder, and the class token's output through the heads.</summary>
    private static string EmitVisionTransformer(VisionTransformer m, string p, string x, int[] s, OnnxGraphBuilder g)
    {
        var c = ChildrenOf(m);
        int d = m.HiddenDim;
        int[] features = c["conv_proj"].OutputShape(s);
        int tokens = features[2] * features[3] + 1;
        string patches = g.Node("Reshape", p + ".flatten", [Emit(c["conv_proj"], p + ".conv_proj", x, s, g), g.Int64Initializer(p + ".flat_shape", 0, 0, -1)]);
        patches = g.Node("Transpose", p + ".patches", [patches], ("perm", new[] { 0, 2, 1 }));
        string batch = g.Node("Shape", p + ".batch", [patches], ("start", 0), ("end", 1));
        string tokenShape = g.Node("Concat", p + ".class_shape", [batch, g.Int64Initializer(p + ".class_rest", 1, d)], ("axis", 0));
        string classTokens = g.Node("Expand", p + ".class_tokens", [g.Initializer(p + ".class_token", OwnParameter(m, "class_token"), 1, 1, d), tokenShape]);
        string z = g.Node("Concat", p + ".sequence", [classTokens, patches], ("axis", 1));
        z = Emit(c["encoder"], p + ".encoder", z, [s[0], tokens, d], g);
        string first = g.Node("Slice", p + ".first_slice", [z, g.Int64Initializer(p + ".first_start", 0), g.Int64Initializer(p + ".first_end", 1), g.Int64Initializer(p + ".token_axis", 1)]);
        first = g.Node("Flatten", p + ".first", [first], ("axis", 1));
        return Emit(c["heads"], p + ".heads", first, [s[0], d], g);
    }

    private static Dictionary<string, Module> ChildrenOf(Module m) => m.Children.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);

    /// <summary>The values of a module's own parameter <paramref name="name"/>; throws when it has none by that name.</summary>
    private static float[] OwnParameter(Module m, string name) =>
        Own(m, name) ?? throw new InvalidOperationException($"{m.GetType().Name} has no parameter '{name}'.");

    /// <summary>The [cols, rows] transpose of a row-major [rows, cols] matrix.</summary>
    private static float[] Transposed(ReadOnlySpan<float> a, int rows, int cols)
    {
        var t = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }

    private static string Name(Module parent, Module child) => parent.Children.First(c => ReferenceEquals(c.Value, child)).Name;

    private static ValueInfoProto ValueInfo(string name, int[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (int d in dims)
            shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();

    /// <summary>The values of a module's own parameter (not its children's), or null.</summary>
    private static float[]? Own(Module m, string name) =>
        m.NamedParameters().FirstOrDefault(p => p.Name == name).Value?.Value.Span.ToArray();
}
