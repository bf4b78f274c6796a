using System.Globalization;
using System.Text;

namespace MlPipelines.Evaluation.Metrics;

/// <summary>
/// Counts of (true class, predicted class) pairs: rows are true classes, columns predicted classes,
/// as ML.NET's ConfusionMatrix; with per-class precision and recall.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] _counts;

    /// <summary>Creates a matrix from counts [true, predicted] and optional class names.</summary>
    public ConfusionMatrix(long[,] counts, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int n = counts.GetLength(0);
        if (counts.GetLength(1) != n)
            throw new ArgumentException("A confusion matrix must be square.", nameof(counts));
        if (classNames is not null && classNames.Count != n)
            throw new ArgumentException($"Expected {n} class names, got {classNames.Count}.", nameof(classNames));
        _counts = (long[,])counts.Clone();
        ClassNames = classNames ?? Enumerable.Range(0, n).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

        var precision = new double[n];
        var recall = new double[n];
        for (int c = 0; c < n; c++)
        {
            long rowSum = 0, colSum = 0;
            for (int k = 0; k < n; k++)
            {
                rowSum += _counts[c, k];
                colSum += _counts[k, c];
            }
            precision[c] = colSum == 0 ? 0 : (double)_counts[c, c] / colSum;
            recall[c] = rowSum == 0 ? 0 : (double)_counts[c, c] / rowSum;
        }
        PerClassPrecision = precision;
        PerClassRecall = recall;
    }

    /// <summary>Number of classes (rows and columns).</summary>
    public int NumberOfClasses => _counts.GetLength(0);

    /// <summary>Class names, in class-index order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Precision of each class: diagonal / column sum (0 when nothing was predicted as the class).</summary>
    public IReadOnlyList<double> PerClassPrecision { get; }

    /// <summary>Recall of each class: diagonal / row sum (0 when the class never occurs).</summary>
    public IReadOnlyList<double> PerClassRecall { get; }

    /// <summary>Rows whose true class is <paramref name="trueClass"/> and whose prediction is <paramref name="predictedClass"/>.</summary>
    public long this[int trueClass, int predictedClass] => _counts[trueClass, predictedClass];

    /// <summary>The counts as a jagged array [true][predicted].</summary>
    public IReadOnlyList<IReadOnlyList<long>> Counts =>
        Enumerable.Range(0, NumberOfClasses)
            .Select(r => (IReadOnlyList<long>)Enumerable.Range(0, NumberOfClasses).Select(c => _counts[r, c]).ToArray())
            .ToArray();

    /// <summary>A fixed-width text table with recall per row and precision per column.</summary>
    public string GetFormattedConfusionTable()
    {
        int n = NumberOfClasses;
        int nameWidth = Math.Max(8, ClassNames.Max(s => s.Length));
        int cellWidth = Math.Max(7, Enumerable.Range(0, n).Max(i => Math.Max(ClassNames[i].Length,
            Enumerable.Range(0, n).Max(j => _counts[i, j].ToString(CultureInfo.InvariantCulture).Length))) + 1);
        var sb = new StringBuilder();
        sb.Append("Confusion table (rows: truth, columns: predicted)\n");
        sb.Append(new string(' ', nameWidth)).Append(" |");
        foreach (string name in ClassNames) sb.Append(name.PadLeft(cellWidth));
        sb.Append(" | Recall\n");
        sb.Append(new string('-', nameWidth + 2 + cellWidth * n + 9)).Append('\n');
        for (int r = 0; r < n; r++)
        {
            sb.Append(ClassNames[r].PadRight(nameWidth)).Append(" |");
            for (int c = 0; c < n; c++) sb.Append(_counts[r, c].ToString(CultureInfo.InvariantCulture).PadLeft(cellWidth));
            sb.Append(" | ").Append(PerClassRecall[r].ToString("0.0000", CultureInfo.InvariantCulture)).Append('\n');
        }
        sb.Append(new string('-', nameWidth + 2 + cellWidth * n + 9)).Append('\n');
        sb.Append("Precision".PadRight(nameWidth)).Append(" |");
        for (int c = 0; c < n; c++) sb.Append(PerClassPrecision[c].ToString("0.0000", CultureInfo.InvariantCulture).PadLeft(cellWidth));
        sb.Append('\n');
        return sb.ToString();
    }
}
