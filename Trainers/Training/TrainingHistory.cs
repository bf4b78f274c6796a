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
        AtomicFile.WriteAllText(path, path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ToCsv() : ToJson());
    }
}

/// <summary>Writes files whole or not at all: into a temporary file beside the target, then a rename.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string contents)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            File.WriteAllText(temp, contents, new UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
