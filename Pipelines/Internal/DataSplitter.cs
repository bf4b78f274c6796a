using System.Text;
using MlPipelines.Data;

namespace MlPipelines.Internal;

/// <summary>Decides which rows of a view go to the test set (one pass reading only the column it needs).</summary>
internal static class DataSplitter
{
    /// <summary>Sorted positions of the test rows, and the total row count.</summary>
    public static (long[] Test, long Rows) Split(IDataView data, double fraction, int seed, string? samplingKey, string? stratification)
    {
        if (stratification is not null) return Stratified(data, fraction, seed, data.Schema[stratification]);
        if (samplingKey is not null) return ByKey(data, fraction, seed, data.Schema[samplingKey]);
        long rows = data.GetRowCount() ?? Count(data);
        var order = Data.Views.RowMap.Shuffled(rows, new Random(seed));
        long testCount = (long)Math.Round(rows * fraction, MidpointRounding.AwayFromZero);
        var test = new long[testCount];
        for (long i = 0; i < testCount; i++) test[i] = order[i];
        Array.Sort(test);
        return (test, rows);
    }

    private static (long[] Test, long Rows) Stratified(IDataView data, double fraction, int seed, DataViewSchema.Column column)
    {
        var (order, rows) = GroupRows(data, column);
        var rand = new Random(seed);
        var test = new List<long>();
        foreach (var list in order)
        {
            var items = list.ToArray();
            rand.Shuffle(items);
            long take = (long)Math.Round(items.Length * fraction, MidpointRounding.AwayFromZero);
            for (long i = 0; i < take; i++) test.Add(items[i]);
        }
        var result = test.ToArray();
        Array.Sort(result);
        return (result, rows);
    }

    private static (long[] Test, long Rows) ByKey(IDataView data, double fraction, int seed, DataViewSchema.Column column)
    {
        var test = new List<long>();
        long rows = 0;
        using (var cursor = data.GetRowCursor([column]))
        {
            var read = ValueReaders.Boxed(cursor, column);
            while (cursor.MoveNext())
            {
                if (Unit(ValueFormat.Format(read()), seed) < fraction) test.Add(rows);
                rows++;
            }
        }
        return ([.. test], rows);
    }

    /// <summary>Row positions grouped by the value of <paramref name="column"/>, groups in order of first appearance; and the row count.</summary>
    public static (List<List<long>> Groups, long Rows) GroupRows(IDataView data, DataViewSchema.Column column)
    {
        var groups = new Dictionary<object, List<long>>();
        var order = new List<List<long>>();
        long rows = 0;
        using (var cursor = data.GetRowCursor([column]))
        {
            var read = ValueReaders.Boxed(cursor, column);
            while (cursor.MoveNext())
            {
                object key = read();
                if (!groups.TryGetValue(key, out var list))
                {
                    groups.Add(key, list = []);
                    order.Add(list);
                }
                list.Add(rows++);
            }
        }
        return (order, rows);
    }

    /// <summary>Counts the rows of <paramref name="data"/> with one pass of a cursor reading no column.</summary>
    public static long Count(IDataView data)
    {
        long rows = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext()) rows++;
        return rows;
    }

    /// <summary>A number in [0, 1) from a seeded FNV-1a hash of the value's text: equal values land on the same side.</summary>
    public static double Unit(string value, int seed)
    {
        ulong h = 14695981039346656037UL ^ (ulong)(uint)seed;
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        return (h >> 11) * (1.0 / (1UL << 53));
    }
}
