using MlPipelines.Engine.Nn;

namespace MlPipelines.Engine.Optim;

/// <summary>
/// SGD with momentum, dampening, Nesterov and L2 weight decay, as PyTorch 1.13: g += wd p; b = g on the first step,
/// else b = m b + (1 - dampening) g; the step uses g + m b with Nesterov, else b; p -= lr step.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimizer over all of <paramref name="parameters"/>.</summary>
    public Sgd(IEnumerable<Parameter> parameters, SgdOptions options)
        : this(SingleGroup(parameters, options.LearningRate, options.WeightDecay), options)
    {
    }

    /// <summary>Creates the optimizer over explicit groups (their learning rates and weight decays win).</summary>
    public Sgd(IEnumerable<ParameterGroup> groups, SgdOptions options) : base(groups)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Nesterov && (options.Momentum <= 0 || options.Dampening != 0))
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and zero dampening.", nameof(options));
        Options = options;
        foreach (var g in Groups) g.Momentum = options.Momentum;
    }

    public SgdOptions Options { get; }

    /// <inheritdoc />
    protected override void Update(Span<float> value, ReadOnlySpan<float> grad, ParameterGroup group, double weightDecay, Func<string, int, float[]> buffer)
    {
        float lr = (float)group.LearningRate, wd = (float)weightDecay, m = (float)(group.Momentum ?? 0), damp = (float)Options.Dampening;
        if (m == 0)
        {
            for (int i = 0; i < value.Length; i++) value[i] -= lr * (grad[i] + wd * value[i]);
            return;
        }
        float[] b = buffer("momentum_buffer", 0);
        bool first = IsNew(b);
        for (int i = 0; i < value.Length; i++)
        {
            float g = grad[i] + wd * value[i];
            b[i] = first ? g : m * b[i] + (1 - damp) * g;
            value[i] -= lr * (Options.Nesterov ? g + m * b[i] : b[i]);
        }
    }
}
