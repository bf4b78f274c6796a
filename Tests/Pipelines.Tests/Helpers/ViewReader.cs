using System.Collections;
using MlPipelines.Data;
using MlPipelines.Internal;

namespace MlPipelines.Pipelines.Tests.Helpers;

/// <summary>Reads rows of any view as comparable objects: scalars boxed, text as string, vectors as copied arrays.</summary>
public static class ViewReader
{
    /// <summary>Every row of the named (or all visible) columns, in cursor order.</summary>
    public static List<object?[]> ReadAll(IDataView view, Random? rand = null, params string[] columns)
    {
        var cols = Columns(view.Schema, columns);
        using var cursor = view.GetRowCursor(cols, rand);
        return ReadCursor(cursor, cols);
    }

    /// <summary>All rows of a cursor.</summary>
    public static List<object?[]> ReadCursor(DataViewRowCursor cursor, IReadOnlyList<DataViewSchema.Column> cols) => ReadMapped(cursor, cursor, cols);

    /// <summary>All rows of <paramref name="row"/>, which follows <paramref name="driver"/> as it moves (row-to-row mappers).</summary>
    public static List<object?[]> ReadMapped(DataViewRowCursor driver, DataViewRow row, IReadOnlyList<DataViewSchema.Column> cols)
    {
        var readers = cols.Select(c => Reader(row, c)).ToArray();
        var rows = new List<object?[]>();
        while (driver.MoveNext()) rows.Add(readers.Select(r => r()).ToArray());
        return rows;
    }

    /// <summary>A reader of one column's current value.</summary>
    public static Func<object?> Reader(DataViewRow row, DataViewSchema.Column column) =>
        column.Type is VectorDataViewType v
            ? GenericDispatch.Invoke(v.ItemType.RawType, new VectorReader(row, column))
            : GenericDispatch.Invoke(column.Type.RawType, new ScalarReader(row, column));

    public static List<DataViewSchema.Column> Columns(DataViewSchema schema, string[] names) =>
        names.Length == 0 ? schema.Where(c => !c.IsHidden).ToList() : names.Select(n => schema[n]).ToList();

    /// <summary>Asserts two row lists are equal value by value (arrays element-wise, NaN equal to NaN).</summary>
    public static void AssertEqual(IReadOnlyList<object?[]> expected, IReadOnlyList<object?[]> actual, string what)
    {
        Assert.AreEqual(expected.Count, actual.Count, $"{what}: row count");
        for (int r = 0; r < expected.Count; r++)
        {
            Assert.AreEqual(expected[r].Length, actual[r].Length, $"{what}: columns in row {r}");
            for (int c = 0; c < expected[r].Length; c++)
                Assert.IsTrue(ValueEquals(expected[r][c], actual[r][c]), $"{what}: row {r} column {c}: expected {Show(expected[r][c])}, got {Show(actual[r][c])}");
        }
    }

    public static bool ValueEquals(object? a, object? b)
    {
        if (a is IList la && b is IList lb)
        {
            if (la.Count != lb.Count || a.GetType() != b.GetType()) return false;
            for (int i = 0; i < la.Count; i++)
                if (!ValueEquals(la[i], lb[i])) return false;
            return true;
        }
        return Equals(a, b);
    }

    public static string Show(object? v) => v is IList l ? "[" + string.Join(", ", l.Cast<object?>().Select(Show)) + "]" : v?.ToString() ?? "null";

    private sealed class ScalarReader(DataViewRow row, DataViewSchema.Column column) : IGenericFunc<Func<object?>>
    {
        public Func<object?> Invoke<T>()
        {
            var getter = row.GetGetter<T>(column);
            T value = default!;
            return () =>
            {
                getter(ref value);
                return value is ReadOnlyMemory<char> m ? m.ToString() : value;
            };
        }
    }

    private sealed class VectorReader(DataViewRow row, DataViewSchema.Column column) : IGenericFunc<Func<object?>>
    {
        public Func<object?> Invoke<T>()
        {
            var getter = row.GetGetter<VBuffer<T>>(column);
            var value = default(VBuffer<T>);
            return () =>
            {
                getter(ref value);
                var items = value.ToArray();
                return items is ReadOnlyMemory<char>[] text ? text.Select(t => t.ToString()).ToArray() : items;
            };
        }
    }
}
