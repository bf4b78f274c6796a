using MlPipelines.Engine;

namespace MlPipelines.Trainers.Onnx.Import;

/// <summary>What an op needs besides its inputs: training mode (batch statistics), the tensor-size limit and the step (for engine kernels).</summary>
internal sealed record OpContext(bool Training, long MaxElements, MlPipelines.Engine.Nn.StepContext Step);

/// <summary>
/// One ONNX node's computation: a pure function of its inputs (integer tensors travel as float values) with a backward
/// that maps output gradients to input gradients (null where an input is not differentiable or receives nothing).
/// Ops never modify their inputs; outputs are fresh tensors or views of inputs.
/// </summary>
internal abstract class OnnxOp
{
    /// <summary>Computes the outputs; a null input is an omitted optional input.</summary>
    public abstract Tensor[] Forward(Tensor?[] inputs, OpContext context);

    /// <summary>Input gradients from output gradients (null entries: no gradient reached that output).</summary>
    public virtual Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context) =>
        throw new NotSupportedException($"{GetType().Name} has no backward pass.");

    /// <summary>Input indices that hold weights (initializers there become trainable parameters).</summary>
    public virtual IReadOnlyList<int> WeightInputs => [];

    /// <summary>Input indices that hold running statistics (initializers there become buffers).</summary>
    public virtual IReadOnlyList<int> BufferInputs => [];
}
