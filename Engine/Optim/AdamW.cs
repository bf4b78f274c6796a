using MlPipelines.Engine.Nn;

namespace MlPipelines.Engine.Optim;

/// <summary>AdamW: Adam with weight decay decoupled from the gradient (p *= 1 - lr wd before the Adam step).</summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates AdamW over all of <paramref name="parameters"/> (set WeightDecay, PyTorch's default is 0.01).</summary>
    public AdamW(IEnumerable<Parameter> parameters, AdamOptions options) : base(SingleGroup(parameters, options.LearningRate, options.WeightDecay), options, true)
    {
    }

    /// <summary>Creates AdamW over explicit groups.</summary>
    public AdamW(IEnumerable<ParameterGroup> groups, AdamOptions options) : base(groups, options, true)
    {
    }
}
