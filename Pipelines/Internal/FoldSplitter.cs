namespace MlPipelines.Internal;

/// <summary>Assigns every row of a view to one of k cross-validation folds (one pass reading only the column it needs).</summary>
internal static class FoldSplitter
{
    /// <summary>
    /// The fold (0..<paramref name="folds"/> − 1) of every row. Stratified: each class is shuffled and dealt round-robin,
    /// continuing where the previous class stopped, so every class and every fold size differ by at most one row between
    /// folds. By key: a seeded hash of the key's text picks the fold. Otherwise: a seeded shuffle dealt round-robin.
    /// </summary>
    public static int[] Assign(IDataView data, int folds, int seed, string? samplingKey, string? stratification)
    {
        var rand = new Random(seed);
        if (stratification is not null)
        {
            var (groups, rows) = DataSplitter.GroupRows(data, data.Schema[stratification]);
            var fold = NewFoldArray(rows);
            int next = 0;
            foreach (var group in groups)
            {
                var items = group.ToArray();
                rand.Shuffle(items);
                foreach (long row in items)
                {
                    fold[row] = next;
                    next = (next + 1) % folds;
                }
            }
            return fold;
        }
        if (samplingKey is not null)
        {
            var column = data.Schema[samplingKey];
            var keyed = new List<int>();
            using var cursor = data.GetRowCursor([column]);
            var read = ValueReaders.Boxed(cursor, column);
            while (cursor.MoveNext())
                keyed.Add(Math.Min(folds - 1, (int)(DataSplitter.Unit(ValueFormat.Format(read()), seed) * folds)));
            return [.. keyed];
        }
        long count = data.GetRowCount() ?? DataSplitter.Count(data);
        var order = Data.Views.RowMap.Shuffled(count, rand);
        var result = NewFoldArray(count);
        for (long i = 0; i < count; i++) result[order[i]] = (int)(i % folds);
        return result;
    }

    /// <summary>Sorted positions of the rows in <paramref name="fold"/>, and of all the others.</summary>
    public static (long[] Train, long[] Test) Rows(int[] assignment, int fold)
    {
        int inFold = 0;
        foreach (int f in assignment)
            if (f == fold) inFold++;
        var test = new long[inFold];
        var train = new long[assignment.Length - inFold];
        int t = 0, r = 0;
        for (long i = 0; i < assignment.Length; i++)
        {
            if (assignment[i] == fold) test[t++] = i;
            else train[r++] = i;
        }
        return (train, test);
    }

    private static int[] NewFoldArray(long rows) =>
        rows <= Array.MaxLength ? new int[rows] : throw new NotSupportedException($"Cross-validation of {rows} rows is not supported (at most {Array.MaxLength}).");
}
