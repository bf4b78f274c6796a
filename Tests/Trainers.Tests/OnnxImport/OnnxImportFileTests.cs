using Google.Protobuf;
using MlPipelines.Engine;
using MlPipelines.Engine.Nn;
using MlPipelines.Testing;
using MlPipelines.Trainers.Onnx;
using MlPipelines.Trainers.Onnx.Proto;

namespace MlPipelines.Trainers.Tests.OnnxImport;

/// <summary>File-level behaviour: typed and raw data, old-IR inputs, external data and its confinement, opset differences, and hostile files.</summary>
[TestClass]
public sealed class OnnxImportFileTests
{
    private static ModelProto Model(int opset, params NodeProto[] nodes) => OnnxGraphs.Model(opset, nodes);

    private static NodeProto Node(string op, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes) =>
        OnnxGraphs.Node(op, name, inputs, outputs, attributes);

    private static TensorProto Floats(string name, float[] values, params long[] dims) => OnnxGraphs.Floats(name, values, dims);

    private static OnnxGraphModule Load(ModelProto model, OnnxImportOptions? options = null) => OnnxGraphs.Load(model, options);

    private static float[] Run(OnnxGraphModule graph, float[] x, params int[] shape)
    {
        graph.Eval();
        return graph.Forward(new Tensor(x, shape), new StepContext { RecordForBackward = false }).Span.ToArray();
    }

    [TestMethod]
    public void TypedData_Int64Shape_AndOldIrInputsRepeatingInitializers()
    {
        var shape = new TensorProto { Name = "shape", DataType = (int)TensorProto.Types.DataType.Int64 };
        shape.Dims.Add(2);
        shape.Int64Data.AddRange([0, -1]);
        var model = Model(13, Node("Reshape", "r", ["x", "shape"], ["r"]), Node("MatMul", "mm", ["r", "w"], ["y"]));
        model.Graph.Initializer.Add(shape);
        model.Graph.Initializer.Add(Floats("w", [1, 2, 3, 4, 5, 6], 3, 2));
        model.Graph.Input.Add(new ValueInfoProto { Name = "w" }); // old IR: initializers repeated as inputs
        OnnxGraphModule graph = Load(model);
        CollectionAssert.AreEqual(new[] { "x" }, graph.InputNames.ToArray());
        Assert.AreEqual("w", graph.NamedParameters().Single().Name, "a MatMul initializer is a trainable weight");
        float[] y = Run(graph, [1, 0, 0, 0, 1, 0, 0, 0, 1], 3, 1, 3);
        CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 5, 6 }, y);
    }

    [TestMethod]
    public void Clip_ReadsAttributesBeforeOpset11_AndInputsAfter()
    {
        var old = Model(10, Node("Clip", "c", ["x"], ["y"], new AttributeProto { Name = "min", F = -1, Type = AttributeProto.Types.AttributeType.Float },
            new AttributeProto { Name = "max", F = 2, Type = AttributeProto.Types.AttributeType.Float }));
        CollectionAssert.AreEqual(new float[] { -1, 0.5f, 2 }, Run(Load(old), [-5, 0.5f, 9], 3));
        var current = Model(13, Node("Clip", "c", ["x", "lo", "hi"], ["y"]));
        current.Graph.Initializer.Add(Floats("lo", [0], []));
        current.Graph.Initializer.Add(Floats("hi", [6], []));
        CollectionAssert.AreEqual(new float[] { 0, 0.5f, 6 }, Run(Load(current), [-5, 0.5f, 9], 3));
    }

    [TestMethod]
    public void Softmax_CoercesTo2dBeforeOpset13_AndUsesOneAxisAfter()
    {
        var axis = new AttributeProto { Name = "axis", I = 1, Type = AttributeProto.Types.AttributeType.Int };
        float[] x = [.. Enumerable.Range(0, 8).Select(i => i * 0.1f)];
        float[] old = Run(Load(Model(11, Node("Softmax", "s", ["x"], ["y"], axis))), x, 1, 2, 4);
        float[] now = Run(Load(Model(13, Node("Softmax", "s", ["x"], ["y"], axis))), x, 1, 2, 4);
        Assert.AreEqual(1.0, old.Sum(), 1e-5, "opset 11: one distribution over the 8 trailing values");
        Assert.AreEqual(4.0, now.Sum(), 1e-5, "opset 13: four distributions over axis 1 (size 2)");
        Assert.AreEqual(1.0, now[0] + now[4], 1e-5);
    }

    [TestMethod]
    public void ExternalData_IsReadFromTheModelFolder_WithOffsetAndLength()
    {
        string dir = TestPaths.NewTempFolder("onnx-ext");
        try
        {
            var bytes = new byte[8 + 16];
            new byte[] { 9, 9, 9, 9, 9, 9, 9, 9 }.CopyTo(bytes, 0);
            System.Runtime.InteropServices.MemoryMarshal.AsBytes<float>([1f, -2f, 3f, 0.5f]).CopyTo(bytes.AsSpan(8));
            File.WriteAllBytes(Path.Combine(dir, "weights.bin"), bytes);
            var model = Model(13, Node("Mul", "m", ["x", "w"], ["y"]));
            var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
            w.Dims.Add(4);
            w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
            w.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "8" });
            w.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "16" });
            model.Graph.Initializer.Add(w);
            string path = Path.Combine(dir, "model.onnx");
            File.WriteAllBytes(path, model.ToByteArray());
            CollectionAssert.AreEqual(new float[] { 2, -4, 6, 1 }, Run(OnnxImporter.Load(path), [2, 2, 2, 2], 4));

            Assert.Throws<InvalidDataException>(() => Load(model), "from a stream without a folder, external data is refused");
            foreach (string location in new[] { "../weights.bin", "/etc/passwd", "sub/../../weights.bin" })
            {
                w.ExternalData[0].Value = location;
                File.WriteAllBytes(path, model.ToByteArray());
                var e = Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(path));
                StringAssert.Contains(e.Message, location);
            }
            w.ExternalData[0].Value = "weights.bin";
            w.ExternalData[1].Value = "16";
            File.WriteAllBytes(path, model.ToByteArray());
            StringAssert.Contains(Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(path)).Message, "exceeds");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void HostileFiles_FailWithInvalidData_NamingTheProblem()
    {
        var huge = Model(13, Node("Add", "a", ["x", "c"], ["y"]));
        var big = new TensorProto { Name = "c", DataType = (int)TensorProto.Types.DataType.Float };
        big.Dims.AddRange([1L << 31, 1L << 31]);
        huge.Graph.Initializer.Add(big);
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => Load(huge)).Message, "initializer 'c'");

        var shortData = Model(13, Node("Add", "a", ["x", "c"], ["y"]));
        var t = new TensorProto { Name = "c", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(new byte[12]) };
        t.Dims.AddRange([2, 3]);
        shortData.Graph.Initializer.Add(t);
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => Load(shortData)).Message, "12 bytes");

        var typedShort = Model(13, Node("Add", "a", ["x", "c"], ["y"]));
        typedShort.Graph.Initializer.Add(Floats("c", [1, 2], 3));
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => Load(typedShort)).Message, "2 values");

        var cycle = Model(13, Node("Relu", "r1", ["x", "b"], ["a"]), Node("Relu", "r2", ["a"], ["b"]), Node("Identity", "out", ["a"], ["y"]));
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => Load(cycle)).Message, "cycle");

        var missing = Model(13, Node("Add", "add1", ["x", "nowhere"], ["y"]));
        var e = Assert.Throws<InvalidDataException>(() => Load(missing));
        StringAssert.Contains(e.Message, "nowhere");
        StringAssert.Contains(e.Message, "add1");

        var twice = Model(13, Node("Relu", "r1", ["x"], ["y"]), Node("Relu", "r2", ["x"], ["y"]));
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => Load(twice)).Message, "twice");

        Assert.Throws<InvalidDataException>(() => OnnxImporter.Load(new MemoryStream([0xFF, 0xFF, 0xFF, 0x0F, 0x01])));

        // A shape computed at run time that would be enormous fails before allocating.
        var expand = Model(13, Node("Expand", "ex", ["x", "s"], ["y"]));
        var s = new TensorProto { Name = "s", DataType = (int)TensorProto.Types.DataType.Int64 };
        s.Dims.Add(3);
        s.Int64Data.AddRange([100000, 100000, 100000]);
        expand.Graph.Initializer.Add(s);
        Assert.Throws<InvalidDataException>(() => Run(Load(expand), [1], 1));
    }

    [TestMethod]
    public void UnsupportedOp_NamesOpNodeAndOpset()
    {
        var e = Assert.Throws<NotSupportedException>(() => Load(Model(15, Node("Einsum", "mix7", ["x"], ["y"]))));
        StringAssert.Contains(e.Message, "Einsum");
        StringAssert.Contains(e.Message, "mix7");
        StringAssert.Contains(e.Message, "15");
        Assert.Throws<NotSupportedException>(() => Load(Model(25, Node("Relu", "r", ["x"], ["y"]))));
    }
}
