namespace MlPipelines.Engine.Nn;

/// <summary>
/// A trainable tensor and its gradient. Backward passes accumulate into <see cref="Grad"/>;
/// the optimizer (or the training loop) zeroes it. A frozen parameter has <see cref="RequiresGrad"/> false:
/// modules skip its gradient and optimizers leave it unchanged.
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a parameter with a zero gradient of the same shape as <paramref name="value"/>.</summary>
    public Parameter(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        Grad = new Tensor(value.Shape.ToArray());
    }

    /// <summary>The current value.</summary>
    public Tensor Value { get; }

    /// <summary>The accumulated gradient, same shape as <see cref="Value"/>.</summary>
    public Tensor Grad { get; }

    /// <summary>Whether gradients are computed and the optimizer updates this parameter.</summary>
    public bool RequiresGrad { get; set; } = true;

    /// <summary>Whether weight decay applies (false for biases and normalisation scales by convention of the caller).</summary>
    public bool ApplyWeightDecay { get; set; } = true;

    /// <summary>Zeroes the gradient.</summary>
    public void ZeroGrad() => Grad.Clear();
}
