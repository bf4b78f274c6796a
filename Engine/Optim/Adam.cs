using MlPipelines.Engine.Nn;

namespace MlPipelines.Engine.Optim;

/// <summary>
/// Adam (Kingma and Ba) and, with <c>decoupled</c>, AdamW (Loshchilov and Hutter), as PyTorch 1.13:
/// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^t) m / (sqrt(v_hat) / sqrt(1 - b2^t) + eps),
/// with v_hat = max of all v so far under AMSGrad. Adam adds wd p to g; AdamW multiplies p by (1 - lr wd) first.
/// </summary>
public class Adam : Optimizer
{
    private readonly bool _decoupled;

    /// <summary>Creates Adam over all of <paramref name="parameters"/>.</summary>
    public Adam(IEnumerable<Parameter> parameters, AdamOptions options) : this(SingleGroup(parameters, options.LearningRate, options.WeightDecay), options, false)
    {
    }

    /// <summary>Creates the optimizer over explicit groups.</summary>
    public Adam(IEnumerable<ParameterGroup> groups, AdamOptions options) : this(groups, options, false)
    {
    }

    /// <summary>For AdamW.</summary>
    protected Adam(IEnumerable<ParameterGroup> groups, AdamOptions options, bool decoupled) : base(groups)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Beta1 is < 0 or >= 1 || options.Beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(options), "Betas must lie in [0, 1).");
        Options = options;
        _decoupled = decoupled;
        foreach (var g in Groups) g.Momentum = options.Beta1;
    }

    public AdamOptions Options { get; }

    /// <inheritdoc />
    protected override void Update(Span<float> value, ReadOnlySpan<float> grad, ParameterGroup group, double weightDecay, Func<string, int, float[]> buffer)
    {
        double b1 = group.Momentum ?? Options.Beta1, b2 = Options.Beta2, lr = group.LearningRate;
        float[] m = buffer("exp_avg", 0), v = buffer("exp_avg_sq", 0);
        float[]? vmax = Options.Amsgrad ? buffer("max_exp_avg_sq", 0) : null;
        float[] steps = buffer("step", 1);
        steps[0]++;
        double t = steps[0];
        double bc1 = 1 - Math.Pow(b1, t), bc2 = 1 - Math.Pow(b2, t);
        float stepSize = (float)(lr / bc1), sqrtBc2 = (float)Math.Sqrt(bc2), eps = (float)Options.Eps;
        float fb1 = (float)b1, fb2 = (float)b2, wd = (float)weightDecay, decay = (float)(1 - lr * weightDecay);
        for (int i = 0; i < value.Length; i++)
        {
            float g = grad[i];
            if (_decoupled) value[i] *= decay;
            else g += wd * value[i];
            m[i] = fb1 * m[i] + (1 - fb1) * g;
            v[i] = fb2 * v[i] + (1 - fb2) * g * g;
            float vv = v[i];
            if (vmax is not null) vv = vmax[i] = Math.Max(vmax[i], v[i]);
            value[i] -= stepSize * m[i] / (MathF.Sqrt(vv) / sqrtBc2 + eps);
        }
    }
}
