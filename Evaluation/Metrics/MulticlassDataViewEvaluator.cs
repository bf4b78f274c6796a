using MlPipelines.Data;

namespace MlPipelines.Evaluation.Metrics;

/// <summary>
/// Evaluates a scored data view with a <see cref="MulticlassMetricsAccumulator"/>: checks the schema first, then reads
/// the label and score columns with a batch cursor (constant memory, one pass). A row's id is its position in the view.
/// </summary>
internal static class MulticlassDataViewEvaluator
{
    /// <summary>Rows read per batch.</summary>
    public const int BatchSize = 256;

    /// <summary>The label and score columns after the checks, and the class names.</summary>
    public sealed record Columns(DataViewSchema.Column Label, DataViewSchema.Column Score, int ClassCount, IReadOnlyList<string>? ClassNames);

    /// <summary>
    /// Checks that <paramref name="schema"/> has a label (key, Single or Double), a known-size Single vector of scores and a
    /// predicted-label column (key or number; not read), throwing <see cref="SchemaMismatchException"/> naming the column.
    /// </summary>
    public static Columns CheckSchema(DataViewSchema schema, string labelColumnName, string scoreColumnName, string predictedLabelColumnName, int topK)
    {
        ArgumentNullException.ThrowIfNull(labelColumnName);
        ArgumentNullException.ThrowIfNull(scoreColumnName);
        ArgumentNullException.ThrowIfNull(predictedLabelColumnName);
        const string LabelExpected = "Key<UInt32>, Single or Double";
        const string ScoreExpected = "Vector<Single> of known size";
        const string PredictedExpected = "Key<UInt32> or a number";

        var label = SchemaShapeChecks.RequireColumn(schema, labelColumnName, LabelExpected);
        if (label.Type is not KeyDataViewType && label.Type != NumberDataViewType.Single && label.Type != NumberDataViewType.Double)
            throw new SchemaMismatchException(labelColumnName, LabelExpected, label.Type.ToString(), "data");

        var score = SchemaShapeChecks.RequireColumn(schema, scoreColumnName, ScoreExpected);
        if (score.Type is not VectorDataViewType { IsKnownSize: true } vector || vector.ItemType != NumberDataViewType.Single)
            throw new SchemaMismatchException(scoreColumnName, ScoreExpected, score.Type.ToString(), "data");

        var predicted = SchemaShapeChecks.RequireColumn(schema, predictedLabelColumnName, PredictedExpected);
        if (predicted.Type is not (KeyDataViewType or NumberDataViewType))
            throw new SchemaMismatchException(predictedLabelColumnName, PredictedExpected, predicted.Type.ToString(), "data");

        int classes = vector.Size;
        if (topK < 0 || topK > classes)
            throw new ArgumentOutOfRangeException(nameof(topK), topK, $"Top-k must lie in [0, {classes}]: column '{scoreColumnName}' scores {classes} classes.");
        return new Columns(label, score, classes, ClassNames(label, score, classes));
    }

    /// <summary>Reads every row of <paramref name="data"/> into a new accumulator and computes the metrics.</summary>
    public static MulticlassClassificationMetrics Evaluate(IDataView data, Columns columns, int topK, int topLossCount = 16, int calibrationBins = 15)
    {
        var acc = new MulticlassMetricsAccumulator(columns.ClassCount, topK, columns.ClassNames, topLossCount, calibrationBins);
        Accumulate(data, columns, acc);
        return acc.Compute();
    }

    /// <summary>Adds every row of <paramref name="data"/> to <paramref name="accumulator"/>.</summary>
    public static void Accumulate(IDataView data, Columns columns, MulticlassMetricsAccumulator accumulator)
    {
        int classes = columns.ClassCount;
        bool keyLabel = columns.Label.Type is KeyDataViewType;
        var labels = new int[BatchSize];
        var floatLabels = keyLabel ? null : new float[BatchSize];
        var scores = new float[BatchSize * classes];
        using var cursor = data.GetBatchCursor([columns.Label, columns.Score], BatchSize);
        while (cursor.MoveNext())
        {
            int n = cursor.Count;
            if (floatLabels is null)
            {
                cursor.CopyKeys(columns.Label, labels); // zero-based; missing (key 0) is -1
            }
            else
            {
                cursor.CopyFloats(columns.Label, floatLabels);
                for (int i = 0; i < n; i++) labels[i] = ToClass(floatLabels[i], columns.Label.Name, cursor.Position + i);
            }
            cursor.CopyFloats(columns.Score, scores);
            accumulator.UpdateBatch(labels.AsSpan(0, n), scores.AsSpan(0, n * classes), cursor.Position);
        }
    }

    /// <summary>A numeric label as a class index: NaN is missing (−1); anything else must be a whole number &gt;= 0.</summary>
    private static int ToClass(float label, string column, long row)
    {
        if (float.IsNaN(label)) return -1;
        if (!(label >= 0 && label <= int.MaxValue && label == MathF.Floor(label)))
            throw new InvalidOperationException($"Label column '{column}' holds {label} at row {row}: numeric labels must be whole numbers >= 0 (NaN for missing).");
        return (int)label;
    }

    /// <summary>Slot names of the scores when they name every class, else key values of the label when their count matches, else null.</summary>
    private static IReadOnlyList<string>? ClassNames(DataViewSchema.Column label, DataViewSchema.Column score, int classes)
    {
        if (score.Annotations.TryGetValue(AnnotationKinds.SlotNames, out VBuffer<ReadOnlyMemory<char>> slots) && slots.Length == classes)
            return slots.DenseValues().Select(m => m.ToString()).ToArray();
        if (label.Type is KeyDataViewType && label.GetKeyValueNames() is { } names && names.Count == classes)
            return names;
        return null;
    }
}
