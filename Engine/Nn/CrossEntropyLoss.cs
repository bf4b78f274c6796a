using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn;

/// <summary>
/// Mean cross-entropy of logits [N, C] against class indices or soft targets (PyTorch's CrossEntropyLoss:
/// label smoothing, class weights, ignored index). <see cref="Forward(Tensor, ReadOnlySpan{int}, StepContext)"/> returns the loss
/// and leaves dLoss/dLogits in <see cref="Gradient"/> for the model's backward pass.
/// </summary>
public sealed class CrossEntropyLoss
{
    /// <summary>Creates the loss.</summary>
    public CrossEntropyLoss(float labelSmoothing = 0, float[]? classWeights = null, int ignoreIndex = -100)
    {
        if (labelSmoothing is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must lie in [0, 1].");
        if (classWeights is not null && classWeights.Any(w => !(w >= 0) || !float.IsFinite(w)))
            throw new ArgumentException("Class weights must be finite and non-negative.", nameof(classWeights));
        (LabelSmoothing, ClassWeights, IgnoreIndex) = (labelSmoothing, classWeights, ignoreIndex);
    }

    public float LabelSmoothing { get; }
    public float[]? ClassWeights { get; }
    public int IgnoreIndex { get; }

    /// <summary>dLoss/dLogits of the last call (a tensor of the step).</summary>
    public Tensor? Gradient { get; private set; }

    /// <summary>Loss against class indices.</summary>
    public double Forward(Tensor logits, ReadOnlySpan<int> targets, StepContext context)
    {
        var (n, c) = Check(logits);
        Tensor d = context.Rent(n, c);
        double loss = CrossEntropy.Forward(logits.Span, targets, ClassWeights ?? [], n, c, LabelSmoothing, IgnoreIndex, d.Span);
        Gradient = d;
        return loss;
    }

    /// <summary>Loss against soft targets [N, C] (rows are probability vectors, e.g. from MixUp).</summary>
    public double Forward(Tensor logits, ReadOnlySpan<float> softTargets, StepContext context)
    {
        var (n, c) = Check(logits);
        Tensor d = context.Rent(n, c);
        double loss = CrossEntropy.Forward(logits.Span, softTargets, ClassWeights ?? [], n, c, LabelSmoothing, d.Span);
        Gradient = d;
        return loss;
    }

    private (int N, int C) Check(Tensor logits)
    {
        if (logits.Rank != 2) throw new ArgumentException($"CrossEntropyLoss expects [N, C] logits, got {logits.ShapeText}.", nameof(logits));
        if (ClassWeights is not null && ClassWeights.Length != logits.Dim(1))
            throw new ArgumentException($"{ClassWeights.Length} class weights for {logits.Dim(1)} classes.", nameof(logits));
        return (logits.Dim(0), logits.Dim(1));
    }
}
