using MlPipelines.Engine.Nn;

namespace MlPipelines.Engine.Optim;

/// <summary>Parameters that share a learning rate and weight decay (discriminative learning rates use several groups).</summary>
public sealed class ParameterGroup
{
    /// <summary>Creates a group.</summary>
    public ParameterGroup(IEnumerable<Parameter> parameters, double learningRate, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (!(learningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be non-negative.");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must be non-negative.");
        LearningRate = InitialLearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The parameters.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Current learning rate (schedules set it).</summary>
    public double LearningRate { get; set; }

    /// <summary>The learning rate the group was created with (schedules scale from it).</summary>
    public double InitialLearningRate { get; }

    /// <summary>Weight decay for parameters that accept it.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Momentum (SGD, RMSprop) or beta1 (Adam), settable by one-cycle schedules; null when the optimizer has none.</summary>
    public double? Momentum { get; set; }
}
