namespace MlPipelines.Trainers.Onnx.Import;

/// <summary>One node of an imported graph in execution order: its op and the names of the values it reads and writes ("" = omitted).</summary>
internal sealed record OnnxGraphNode(string Name, string OpType, OnnxOp Op, string[] Inputs, string[] Outputs);
