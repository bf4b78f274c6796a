using Google.Protobuf;
using MlPipelines.Trainers.Onnx;
using MlPipelines.Trainers.Onnx.Proto;

namespace MlPipelines.Trainers.Tests.OnnxImport;

/// <summary>Small ONNX graphs written node by node for the import tests: one input "x", one output "y".</summary>
internal static class OnnxGraphs
{
    public static ModelProto Model(int opset, params NodeProto[] nodes)
    {
        var graph = new GraphProto { Name = "g" };
        graph.Node.AddRange(nodes);
        graph.Input.Add(new ValueInfoProto { Name = "x" });
        graph.Output.Add(new ValueInfoProto { Name = "y" });
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    public static NodeProto Node(string op, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        n.Attribute.AddRange(attributes);
        return n;
    }

    public static TensorProto Floats(string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        return t;
    }

    /// <summary>A Constant node holding a scalar, as PyTorch exports a Clip's bounds.</summary>
    public static NodeProto Constant(string output, float value) =>
        Node("Constant", output, [], [output], new AttributeProto { Name = "value", T = Floats("", [value]), Type = AttributeProto.Types.AttributeType.Tensor });

    public static OnnxGraphModule Load(ModelProto model, OnnxImportOptions? options = null)
    {
        using var stream = new MemoryStream(model.ToByteArray());
        return OnnxImporter.Load(stream, options);
    }
}
