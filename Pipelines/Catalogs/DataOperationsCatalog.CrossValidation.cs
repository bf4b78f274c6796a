using MlPipelines.Internal;

namespace MlPipelines;

public sealed partial class DataOperationsCatalog
{
    /// <summary>
    /// Splits rows into <paramref name="numberOfFolds"/> folds and returns, for each fold, the other rows as the train set
    /// and the fold as the test set (ML.NET's CrossValidationSplit): test sets are disjoint and together hold every row.
    /// With <paramref name="stratificationColumnName"/>, every class (value of that column) is spread over the folds as evenly
    /// as possible (per class and per fold, sizes differ by at most one row); with <paramref name="samplingKeyColumnName"/>,
    /// rows with equal keys share a fold; otherwise rows are dealt at random. Seeded (null draws a seed from the context).
    /// Rows keep their order. The folds are computed once, on the first read of any part, reading only the column needed.
    /// </summary>
    public IReadOnlyList<TrainTestData> CrossValidationSplit(IDataView data, int numberOfFolds = 5, string? samplingKeyColumnName = null,
        int? seed = null, string? stratificationColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(numberOfFolds, 2);
        if (samplingKeyColumnName is not null && stratificationColumnName is not null)
            throw new ArgumentException("Give a sampling key column or a stratification column, not both.", nameof(stratificationColumnName));
        foreach (string? name in new[] { samplingKeyColumnName, stratificationColumnName })
        {
            if (name is null) continue;
            var column = SchemaShapeChecks.RequireColumn(data.Schema, name, "a scalar column");
            if (column.Type is not Data.PrimitiveDataViewType) throw new SchemaMismatchException(name, "a scalar column", column.Type.ToString(), nameof(data));
        }
        int s = seed ?? Context.NextSeed();
        var assignment = new Lazy<int[]>(() => FoldSplitter.Assign(data, numberOfFolds, s, samplingKeyColumnName, stratificationColumnName));
        var folds = new List<TrainTestData>(numberOfFolds);
        for (int f = 0; f < numberOfFolds; f++)
        {
            int fold = f;
            var rows = new Lazy<(long[] Train, long[] Test)>(() => FoldSplitter.Rows(assignment.Value, fold));
            folds.Add(new TrainTestData(
                Subset(data, () => rows.Value.Train, () => rows.IsValueCreated ? rows.Value.Train.Length : null),
                Subset(data, () => rows.Value.Test, () => rows.IsValueCreated ? rows.Value.Test.Length : null)));
        }
        return folds;
    }
}
