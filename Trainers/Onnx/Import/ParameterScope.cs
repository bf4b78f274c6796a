using MlPipelines.Engine;
using MlPipelines.Engine.Nn;

namespace MlPipelines.Trainers.Onnx.Import;

/// <summary>
/// A holder of imported parameters and buffers under one dotted-name segment, so an initializer named
/// <c>features.0.weight</c> keeps that state-dict key. It is not a layer: it has no forward.
/// </summary>
internal sealed class ParameterScope : Module
{
    public Parameter AddParameter(string name, Tensor value) => RegisterParameter(name, value, applyWeightDecay: value.Rank > 1);

    public Tensor AddBuffer(string name, Tensor value) => RegisterBuffer(name, value);

    public ParameterScope Child(string name)
    {
        foreach (var (n, m) in Children)
            if (n == name) return m as ParameterScope ?? throw new ArgumentException($"'{name}' is not a scope.");
        return RegisterModule(name, new ParameterScope());
    }

    public override Tensor Forward(Tensor input, StepContext context) => throw new NotSupportedException("A parameter scope holds imported weights; it is not a layer.");

    public override Tensor Backward(Tensor outputGradient, StepContext context) => throw new NotSupportedException("A parameter scope holds imported weights; it is not a layer.");

    public override int[] OutputShape(int[] inputShape) => throw new NotSupportedException("A parameter scope holds imported weights; it is not a layer.");
}
