namespace MlPipelines.Trainers.Training;

/// <summary>Training produced a NaN or infinite loss; the message names the epoch and step. The model is left as it was before that step's update.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(int epoch, int step, double loss)
        : base($"Training diverged at epoch {epoch}, step {step}: the loss is {loss}. Lower the learning rate or enable gradient clipping.")
    {
        (Epoch, Step, Loss) = (epoch, step, loss);
    }

    public int Epoch { get; }
    public int Step { get; }
    public double Loss { get; }
}
