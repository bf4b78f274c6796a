namespace MlPipelines.Engine.Nn;

/// <summary>
/// A module that, in a training forward pass, also classifies from an intermediate point of the network (GoogLeNet's auxiliary
/// classifiers, Szegedy et al. 2015). The training objective is the main loss plus <see cref="LossWeight"/> times the same
/// loss of every auxiliary head's logits; <see cref="AddAuxiliaryLosses(Module, StepContext, double, Func{Tensor, ValueTuple{double, Tensor}})"/> forms it. In evaluation mode the heads do not run,
/// so scoring and export see the main output only.
/// </summary>
public interface IAuxiliaryClassifier
{
    /// <summary>The weight of this head's loss in the training objective (0.3 in the GoogLeNet paper).</summary>
    float LossWeight { get; }

    /// <summary>The head's logits [N, classes] from the last forward pass in <paramref name="context"/>; null when that pass was not a training pass.</summary>
    Tensor? Logits(StepContext context);

    /// <summary>
    /// Sets dLoss/dLogits for the last forward pass. The module's Backward then adds what flows back through the head to the
    /// gradient it passes on; without a gradient the head is left out of the backward pass.
    /// </summary>
    void SetLogitsGradient(Tensor gradient, StepContext context);

    /// <summary>
    /// The training objective after a forward pass of <paramref name="model"/>: <paramref name="mainLoss"/> plus, for every
    /// auxiliary head below the model that ran in that pass, its <see cref="LossWeight"/> times <paramref name="loss"/> of its
    /// logits. <paramref name="loss"/> computes the loss of logits against the batch's targets and dLoss/dLogits (a tensor
    /// of the step that it may hand out); each head receives its weight times that gradient. Call it before the model's Backward.
    /// </summary>
    static double AddAuxiliaryLosses(Module model, StepContext context, double mainLoss, Func<Tensor, (double Loss, Tensor Gradient)> loss)
    {
        ArgumentNullException.ThrowIfNull(model);
        return AddAuxiliaryLosses(Find(model), context, mainLoss, loss);
    }

    /// <summary>The auxiliary heads below <paramref name="model"/>, in registration order (find them once per training run).</summary>
    static IAuxiliaryClassifier[] Find(Module model) => [.. model.NamedModules().Select(m => m.Value).OfType<IAuxiliaryClassifier>()];

    /// <summary>As <see cref="AddAuxiliaryLosses(Module, StepContext, double, Func{Tensor, ValueTuple{double, Tensor}})"/>, for heads found beforehand.</summary>
    static double AddAuxiliaryLosses(IReadOnlyList<IAuxiliaryClassifier> heads, StepContext context, double mainLoss, Func<Tensor, (double Loss, Tensor Gradient)> loss)
    {
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(loss);
        double total = mainLoss;
        for (int i = 0; i < heads.Count; i++)
        {
            IAuxiliaryClassifier head = heads[i];
            if (head.Logits(context) is not { } logits) continue;
            var (value, gradient) = loss(logits);
            System.Numerics.Tensors.TensorPrimitives.Multiply(gradient.Span, head.LossWeight, gradient.Span);
            head.SetLogitsGradient(gradient, context);
            total += head.LossWeight * value;
        }
        return total;
    }
}
