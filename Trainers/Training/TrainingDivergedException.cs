namespace MlPipelines.Trainers.Training;

/// <summary>
/// Training produced a NaN or infinite loss or gradient; the message names the epoch and step. The model is left as it was
/// before that step's update, and no checkpoint or model is written from the diverged state.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(int epoch, int step, double loss, string? lastCheckpoint = null)
        : base($"Training diverged at epoch {epoch}, step {step}: the loss is {loss}. Lower the learning rate or enable gradient clipping."
            + (lastCheckpoint is null ? "" : $" The last good checkpoint is {lastCheckpoint}."))
    {
        (Epoch, Step, Loss, LastCheckpoint) = (epoch, step, loss, lastCheckpoint);
    }

    /// <summary>The epoch (1-based).</summary>
    public int Epoch { get; }

    /// <summary>The step within the epoch (1-based).</summary>
    public int Step { get; }

    /// <summary>The loss (or gradient norm) that was not finite.</summary>
    public double Loss { get; }

    /// <summary>The newest checkpoint written before the divergence, if any.</summary>
    public string? LastCheckpoint { get; }
}
