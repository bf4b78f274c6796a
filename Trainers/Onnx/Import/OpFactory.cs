using MlPipelines.Engine;
using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Trainers.Onnx.Import.Ops;
using MlPipelines.Trainers.Onnx.Proto;

namespace MlPipelines.Trainers.Onnx.Import;

/// <summary>Builds the op of one node for the model's opset, or fails naming the op type, node and opset.</summary>
internal static class OpFactory
{
    /// <summary>The op types this importer handles (default domain).</summary>
    public static readonly IReadOnlySet<string> Supported = new HashSet<string>
    {
        "Conv", "BatchNormalization", "Relu", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "PRelu", "MaxPool", "AveragePool",
        "GlobalAveragePool", "GlobalMaxPool", "Flatten", "Reshape", "Concat", "Identity", "Dropout", "Clip", "LeakyRelu", "Sigmoid",
        "Tanh", "Softmax", "LogSoftmax", "HardSigmoid", "HardSwish", "Elu", "Selu", "Softplus", "Transpose", "Squeeze", "Unsqueeze",
        "Pad", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "Shape", "Gather", "Slice", "Cast", "Constant", "ConstantOfShape",
        "LRN", "InstanceNormalization", "LayerNormalization", "Split", "Resize", "Upsample", "Expand", "Neg", "Exp", "Log", "Sqrt",
        "Abs", "Reciprocal", "ConvTranspose", "Pow",
    };

    public static OnnxOp Create(NodeAttributes a, OnnxImportOptions options)
    {
        NodeProto node = a.Node;
        int outputs = node.Output.Count;
        if (node.Domain is not ("" or "ai.onnx"))
            throw new NotSupportedException($"ONNX op '{node.OpType}' of domain '{node.Domain}' (node '{node.Name}', opset {a.Opset}) is not supported.");
        if (a.Opset < 7 && node.OpType is "Add" or "Sub" or "Mul" or "Div" or "PRelu" or "Gemm" or "Pow")
            throw new NotSupportedException($"ONNX op '{node.OpType}' (node '{node.Name}', opset {a.Opset}): the pre-7 broadcast attribute semantics are not supported; opset 7 or later is.");
        return node.OpType switch
        {
            "Conv" => new ConvOp(a),
            "ConvTranspose" => new ConvTransposeOp(a),
            "BatchNormalization" => outputs > 1 && node.Output.Skip(1).Any(o => o.Length > 0)
                ? throw new NotSupportedException($"{a.Where}: training-mode outputs (running mean/var) are not supported.")
                : new BatchNormOp(a),
            "Relu" => new UnaryOp(x => MathF.Max(x, 0f), (x, _) => x > 0 ? 1f : 0f, new Relu()),
            "LeakyRelu" => LeakyRelu(a.Float("alpha", 0.01f)),
            "Sigmoid" => new UnaryOp(UnaryOp.Sigmoid, (_, y) => y * (1 - y), new ActivationLayer(ActivationKind.Sigmoid)),
            "Tanh" => new UnaryOp(MathF.Tanh, (_, y) => 1 - y * y, new ActivationLayer(ActivationKind.Tanh)),
            "HardSigmoid" => HardSigmoid(a.Float("alpha", 0.2f), a.Float("beta", 0.5f)),
            "HardSwish" => Unary(x => x * MathF.Max(0f, MathF.Min(1f, x / 6f + 0.5f)), (x, _) => x < -3f ? 0f : x > 3f ? 1f : x / 3f + 0.5f),
            "Elu" => Elu(a.Float("alpha", 1f)),
            "Selu" => Selu(a.Float("alpha", 1.67326319217681884765625f), a.Float("gamma", 1.05070102214813232421875f)),
            "Softplus" => Unary(x => x > 0 ? x + MathF.Log(1 + MathF.Exp(-x)) : MathF.Log(1 + MathF.Exp(x)), (x, _) => UnaryOp.Sigmoid(x)),
            "Neg" => Unary(x => -x, (_, _) => -1f),
            "Exp" => Unary(MathF.Exp, (_, y) => y),
            "Log" => Unary(MathF.Log, (x, _) => 1f / x),
            "Sqrt" => Unary(MathF.Sqrt, (_, y) => 0.5f / y),
            "Abs" => Unary(MathF.Abs, (x, _) => x > 0 ? 1f : x < 0 ? -1f : 0f),
            "Reciprocal" => Unary(x => 1f / x, (_, y) => -y * y),
            "Clip" => a.Opset < 11 ? new ClipOp(a.Float("min", float.NegativeInfinity), a.Float("max", float.PositiveInfinity)) : new ClipOp(null, null),
            "Identity" => new IdentityOp(1),
            "Dropout" => new IdentityOp(outputs),
            "Add" => new BinaryOp((x, y) => x + y, (_, _, _) => 1f, (_, _, _) => 1f, [], Arithmetic.Add),
            "Sub" => new BinaryOp((x, y) => x - y, (_, _, _) => 1f, (_, _, _) => -1f, [], Arithmetic.Sub),
            "Mul" => new BinaryOp((x, y) => x * y, (_, y, _) => y, (x, _, _) => x, [], Arithmetic.Mul),
            "Div" => new BinaryOp((x, y) => x / y, (_, y, _) => 1f / y, (_, y, z) => -z / y, [], Arithmetic.Div),
            "Pow" => new BinaryOp(MathF.Pow, (x, y, _) => y * MathF.Pow(x, y - 1), (x, _, z) => x > 0 ? z * MathF.Log(x) : 0f, []),
            "PRelu" => new BinaryOp((x, s) => x < 0 ? s * x : x, (x, s, _) => x < 0 ? s : 1f, (x, _, _) => x < 0 ? x : 0f, [1]),
            "Gemm" => new GemmOp(a),
            "MatMul" => new MatMulOp(),
            "MaxPool" => outputs > 1 && node.Output[1].Length > 0
                ? throw new NotSupportedException($"{a.Where}: the Indices output is not supported.")
                : a.Int("storage_order", 0) != 0 ? throw new NotSupportedException($"{a.Where}: storage_order 1 is not supported.") : new PoolOp(a, true),
            "AveragePool" => new PoolOp(a, false),
            "GlobalAveragePool" => new GlobalPoolOp(false),
            "GlobalMaxPool" => new GlobalPoolOp(true),
            "Flatten" => ReshapeOp.Flatten(a),
            "Reshape" => ReshapeOp.Reshape(a),
            "Squeeze" => ReshapeOp.Squeeze(a),
            "Unsqueeze" => ReshapeOp.Unsqueeze(a),
            "Transpose" => new TransposeOp(a),
            "Concat" => new ConcatOp(a),
            "Split" => new SplitOp(a, outputs),
            "Slice" => new SliceOp(a),
            "Gather" => new GatherOp(a),
            "Softmax" => new SoftmaxOp(a.Int("axis", a.Opset < 13 ? 1 : -1), a.Opset < 13, false),
            "LogSoftmax" => new SoftmaxOp(a.Int("axis", a.Opset < 13 ? 1 : -1), a.Opset < 13, true),
            "LRN" => new LrnOp(a),
            "InstanceNormalization" => new GroupNormOp(a, true),
            "LayerNormalization" => new GroupNormOp(a, false),
            "Pad" => new PadOp(a),
            "ReduceMean" => new ReduceOp(a, "Mean"),
            "ReduceMax" => new ReduceOp(a, "Max"),
            "ReduceMin" => new ReduceOp(a, "Min"),
            "ReduceSum" => new ReduceOp(a, "Sum"),
            "Resize" => new ResizeOp(a, false),
            "Upsample" => new ResizeOp(a, true),
            "Shape" => ShapeOf(a),
            "Cast" => Cast(a),
            "Constant" => Constant(a, options),
            "ConstantOfShape" => ConstantOfShape(a, options),
            "Expand" => new ExpandOp(),
            _ => throw new NotSupportedException($"ONNX op '{node.OpType}' (node '{node.Name}', opset {a.Opset}) is not supported."),
        };
    }

    private static UnaryOp Unary(Func<float, float> f, Func<float, float, float> df) => new(f, df);

    private static UnaryOp LeakyRelu(float alpha) => new(x => x >= 0 ? x : alpha * x, (x, _) => x >= 0 ? 1f : alpha, new ActivationLayer(ActivationKind.LeakyRelu, alpha));

    private static UnaryOp HardSigmoid(float alpha, float beta) =>
        new(x => MathF.Max(0f, MathF.Min(1f, alpha * x + beta)), (x, _) => alpha * x + beta is > 0f and < 1f ? alpha : 0f);

    private static UnaryOp Elu(float alpha) => new(x => x > 0 ? x : alpha * (MathF.Exp(x) - 1), (x, y) => x > 0 ? 1f : y + alpha);

    private static UnaryOp Selu(float alpha, float gamma) =>
        new(x => x > 0 ? gamma * x : gamma * alpha * (MathF.Exp(x) - 1), (x, y) => x > 0 ? gamma : y + gamma * alpha);

    private static FunctionOp ShapeOf(NodeAttributes a) => new((inputs, ctx) =>
    {
        Tensor x = inputs[0]!;
        int rank = x.Rank;
        long start = a.Int("start", 0), end = a.Int("end", rank);
        start = Math.Clamp(start < 0 ? start + rank : start, 0, rank);
        end = Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        long[] dims = [.. x.Shape.ToArray().Skip((int)start).Take((int)Math.Max(0, end - start)).Select(d => (long)d)];
        return T.FromLongs(ctx, dims, dims.Length);
    });

    private static FunctionOp Cast(NodeAttributes a)
    {
        var to = (TensorProto.Types.DataType)a.Int("to", 1);
        return to switch
        {
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Float16 =>
                new FunctionOp((inputs, _) => inputs[0]!, passGradient: true),
            TensorProto.Types.DataType.Bool => new FunctionOp((inputs, ctx) => Map(inputs[0]!, ctx, v => v != 0 ? 1f : 0f)),
            TensorProto.Types.DataType.String or TensorProto.Types.DataType.Undefined =>
                throw new NotSupportedException($"{a.Where}: Cast to {to} is not supported."),
            _ => new FunctionOp((inputs, ctx) => Map(inputs[0]!, ctx, MathF.Truncate)),
        };
    }

    private static Tensor Map(Tensor x, OpContext ctx, Func<float, float> f)
    {
        Tensor y = T.New(ctx, T.Shape(x));
        for (int i = 0; i < y.Length; i++) y.Span[i] = f(x.Span[i]);
        return y;
    }

    private static FunctionOp Constant(NodeAttributes a, OnnxImportOptions options)
    {
        Tensor value;
        if (a.Tensor("value") is { } t) value = OnnxTensorReader.Read(t, $"{a.Where} value", options);
        else if (a.Has("value_float")) value = new Tensor([a.Float("value_float", 0f)], []);
        else if (a.Floats("value_floats") is { } fs) value = new Tensor(fs, fs.Length);
        else if (a.Has("value_int")) value = new Tensor([a.Int("value_int", 0)], []);
        else if (a.Ints("value_ints") is { } ls) value = new Tensor([.. ls.Select(v => (float)v)], ls.Length);
        else throw new NotSupportedException($"{a.Where}: only tensor, float(s) and int(s) constants are supported.");
        return new FunctionOp((_, _) => value);
    }

    private static FunctionOp ConstantOfShape(NodeAttributes a, OnnxImportOptions options)
    {
        float fill = a.Tensor("value") is { } t ? OnnxTensorReader.Read(t, $"{a.Where} value", options) is { Length: > 0 } v ? v.Span[0] : 0f : 0f;
        return new FunctionOp((inputs, ctx) =>
        {
            long[] dims = T.Longs(inputs[0]!);
            int[] shape = [.. dims.Select(d => d < 0 || d > ctx.MaxElements ? throw a.Invalid($"dimension {d} is invalid.") : (int)d)];
            Tensor y = T.New(ctx, shape);
            y.Fill(fill);
            return y;
        });
    }
}

/// <summary>Expand: broadcast the input to a shape (numpy rules, either side may be 1).</summary>
internal sealed class ExpandOp : OnnxOp
{
    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
        int[] target = [.. T.Longs(inputs[1]!).Select(v => v < 0 || v > context.MaxElements ? throw new InvalidDataException($"Expand: dimension {v} is invalid.") : (int)v)];
        int[] shape = T.Broadcast(T.Shape(x), target);
        Tensor y = T.New(context, shape);
        int[] map = T.BroadcastMap(T.Shape(x), shape);
        for (int i = 0; i < map.Length; i++) y.Span[i] = x.Span[map[i]];
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context) =>
        [T.Unbroadcast(outputGradients[0]!, T.Shape(inputs[0]!)), null];
}
