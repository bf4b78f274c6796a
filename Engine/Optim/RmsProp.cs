using MlPipelines.Engine.Nn;

namespace MlPipelines.Engine.Optim;

/// <summary>
/// RMSprop as PyTorch 1.13: v = a v + (1 - a) g^2; avg = sqrt(v - gavg^2) (centered) or sqrt(v), plus eps;
/// with momentum b = m b + g / avg and p -= lr b, else p -= lr g / avg.
/// </summary>
public sealed class RmsProp : Optimizer
{
    /// <summary>Creates the optimizer over all of <paramref name="parameters"/>.</summary>
    public RmsProp(IEnumerable<Parameter> parameters, RmsPropOptions options) : base(SingleGroup(parameters, options.LearningRate, options.WeightDecay))
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        foreach (var g in Groups) g.Momentum = options.Momentum;
    }

    public RmsPropOptions Options { get; }

    /// <inheritdoc />
    protected override void Update(Span<float> value, ReadOnlySpan<float> grad, ParameterGroup group, double weightDecay, Func<string, int, float[]> buffer)
    {
        float a = (float)Options.Alpha, eps = (float)Options.Eps, lr = (float)group.LearningRate, wd = (float)weightDecay, m = (float)(group.Momentum ?? 0);
        float[] sq = buffer("square_avg", 0);
        float[]? gavg = Options.Centered ? buffer("grad_avg", 0) : null;
        float[]? mb = m > 0 ? buffer("momentum_buffer", 0) : null;
        for (int i = 0; i < value.Length; i++)
        {
            float g = grad[i] + wd * value[i];
            sq[i] = a * sq[i] + (1 - a) * g * g;
            float avg;
            if (gavg is not null)
            {
                gavg[i] = a * gavg[i] + (1 - a) * g;
                avg = MathF.Sqrt(sq[i] - gavg[i] * gavg[i]) + eps;
            }
            else
            {
                avg = MathF.Sqrt(sq[i]) + eps;
            }
            if (mb is not null)
            {
                mb[i] = m * mb[i] + g / avg;
                value[i] -= lr * mb[i];
            }
            else
            {
                value[i] -= lr * g / avg;
            }
        }
    }
}
