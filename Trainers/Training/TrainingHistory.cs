using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MlPipelines.Trainers.Training;

/// <summary>The per-epoch metrics of a run, with CSV and JSON writers (written atomically: temporary file, then rename).</summary>
public sealed class TrainingHistory : IReadOnlyList<EpochMetrics>
{
    private readonly EpochMetrics[] _epochs;

    /// <summary>Wraps the epochs in order.</summary>
    public TrainingHistory(IEnumerable<EpochMetrics> epochs) => _epochs = [.. epochs ?? throw new ArgumentNullException(nameof(epochs))];

    /// <inheritdoc />
    public EpochMetrics this[int index] => _epochs[index];

    /// <inheritdoc />
    public int Count => _epochs.Length;

    /// <summary>Whether training stopped before its last epoch.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>The epoch whose weights the model holds when early stopping restored the best ones (0 otherwise).</summary>
    public int RestoredEpoch { get; init; }

    /// <inheritdoc />
    public IEnumerator<EpochMetrics> GetEnumerator() => ((IEnumerable<EpochMetrics>)_epochs).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One header line, then one line per epoch; empty cells for missing validation figures; invariant culture.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,learning_rate,elapsed_seconds\n");
        static string F(double? v) => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : "";
        foreach (var e in _epochs)
            sb.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{F(e.TrainLoss)},{F(e.TrainAccuracy)},{F(e.ValidationLoss)},{F(e.ValidationAccuracy)},{F(e.LearningRate)},{F(e.Elapsed.TotalSeconds)}\n");
        return sb.ToString();
    }

    /// <summary>A JSON array of epoch objects (camelCase names; elapsed in seconds).</summary>
    public string ToJson() => JsonSerializer.Serialize(_epochs.Select(e => new
    {
        epoch = e.Epoch, trainLoss = e.TrainLoss, trainAccuracy = e.TrainAccuracy, validationLoss = e.ValidationLoss,
        validationAccuracy = e.ValidationAccuracy, learningRate = e.LearningRate, elapsedSeconds = e.Elapsed.TotalSeconds,
    }), new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Writes CSV for a ".csv" path and JSON otherwise.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        IO.AtomicFile.WriteAllText(path, path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ToCsv() : ToJson(), createFolder: true);
    }
}
