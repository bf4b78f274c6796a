using MlPipelines.Data;
using MlPipelines.Data.Binding;

namespace MlPipelines;

/// <summary>Reading one column of a view (ML.NET's ColumnCursorExtensions).</summary>
public static class ColumnCursorExtensions
{
    /// <summary>
    /// The values of <paramref name="columnName"/>, lazily. <typeparamref name="T"/> is the raw type, or a friendlier
    /// form: string for text, T[] or VBuffer&lt;T&gt; for vectors (fresh copies per row), uint (raw key) for keys.
    /// </summary>
    public static IEnumerable<T> GetColumn<T>(this IDataView data, string columnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var column = data.Schema[columnName];
        if (typeof(T) == column.Type.RawType && !column.Type.RawType.IsGenericType) return ReadRaw<T>(data, column);
        var mapping = TypeMapping.Map(typeof(T), null, null);
        if (mapping is null || mapping.Value.RawType != column.Type.RawType)
            throw new InvalidOperationException($"Column '{columnName}' of type {column.Type} cannot be read as {typeof(T).Name}.");
        return (IEnumerable<T>)typeof(ColumnCursorExtensions).GetMethod(nameof(ReadConverted), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(typeof(T), mapping.Value.RawType)
            .Invoke(null, [data, column, mapping.Value.Converter])!;
    }

    private static IEnumerable<T> ReadRaw<T>(IDataView data, DataViewSchema.Column column)
    {
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            yield return value;
        }
    }

    private static IEnumerable<T> ReadConverted<T, TRaw>(IDataView data, DataViewSchema.Column column, MemberConverter<T, TRaw> converter)
    {
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<TRaw>(column);
        TRaw value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            yield return converter.FromRaw(ref value);
        }
    }
}
