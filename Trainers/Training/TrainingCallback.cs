using MlPipelines.Engine.Nn;

namespace MlPipelines.Trainers.Training;

/// <summary>
/// A Keras-style training callback: override what you need. Calls come on the training thread, in the order the callbacks
/// are listed; set <see cref="TrainingState.StopTraining"/> to end the run after the current batch.
/// </summary>
public abstract class TrainingCallback
{
    /// <summary>Before the first batch (after a resume, before the first remaining batch).</summary>
    public virtual void OnTrainBegin(TrainingState state)
    {
    }

    /// <summary>After the last epoch, or when training stops early.</summary>
    public virtual void OnTrainEnd(TrainingState state, IReadOnlyList<EpochMetrics> history)
    {
    }

    /// <summary>Before an epoch's first batch.</summary>
    public virtual void OnEpochBegin(TrainingState state)
    {
    }

    /// <summary>After an epoch, with its metrics (validation included).</summary>
    public virtual void OnEpochEnd(TrainingState state, EpochMetrics metrics)
    {
    }

    /// <summary>After each optimisation step.</summary>
    public virtual void OnBatchEnd(TrainingState state)
    {
    }
}

/// <summary>Where a run stands, as callbacks see it.</summary>
public sealed class TrainingState
{
    internal TrainingState(Module model, int epochs, int stepsPerEpoch)
    {
        (Model, Epochs, StepsPerEpoch) = (model, epochs, stepsPerEpoch);
    }

    /// <summary>The network being trained.</summary>
    public Module Model { get; }

    /// <summary>The current epoch (1-based).</summary>
    public int Epoch { get; internal set; }

    /// <summary>Epochs in the run.</summary>
    public int Epochs { get; }

    /// <summary>Steps completed in the current epoch.</summary>
    public int Step { get; internal set; }

    /// <summary>Steps per epoch.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>The last batch's loss.</summary>
    public double BatchLoss { get; internal set; }

    /// <summary>The learning rate of the last step.</summary>
    public double LearningRate { get; internal set; }

    /// <summary>Set to end training after the current batch (the epoch's metrics are still computed).</summary>
    public bool StopTraining { get; set; }
}
