using MlPipelines.Data;

namespace MlPipelines.Internal;

/// <summary>The checks every row does before handing out a getter, with messages that name the column.</summary>
internal static class RowChecks
{
    /// <summary>Checks that <paramref name="column"/> is in <paramref name="schema"/>, active, and of raw type <typeparamref name="TValue"/>.</summary>
    public static void CheckGetter<TValue>(DataViewSchema schema, DataViewSchema.Column column, bool active)
    {
        schema.CheckColumn(column, nameof(column));
        if (!active)
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made, so it cannot be read.");
        if (column.Type.RawType != typeof(TValue))
            throw new InvalidOperationException(
                $"Column '{column.Name}' has type {column.Type} (values {TypeNames.Of(column.Type.RawType)}); a getter of {TypeNames.Of(typeof(TValue))} was requested.");
    }

    /// <summary>The set of column indexes of <paramref name="schema"/> named by <paramref name="columns"/>.</summary>
    public static bool[] ActiveSet(DataViewSchema schema, IEnumerable<DataViewSchema.Column> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var active = new bool[schema.Count];
        foreach (var c in columns)
        {
            schema.CheckColumn(c, nameof(columns));
            active[c.Index] = true;
        }
        return active;
    }

    /// <summary>The columns of <paramref name="schema"/> flagged in <paramref name="active"/>.</summary>
    public static IEnumerable<DataViewSchema.Column> Columns(DataViewSchema schema, bool[] active)
    {
        for (int i = 0; i < active.Length; i++)
            if (active[i]) yield return schema[i];
    }

    /// <summary>Throws when a getter is called while the cursor is not on a row.</summary>
    public static InvalidOperationException NotOnRow() => new("The cursor is not on a row: call MoveNext first (and only while it returns true).");
}
