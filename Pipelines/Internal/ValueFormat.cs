using System.Globalization;
using MlPipelines.Data;

namespace MlPipelines.Internal;

/// <summary>Invariant text forms of primitive values (key value names, stratification keys, model files).</summary>
internal static class ValueFormat
{
    /// <summary>Formats one primitive value.</summary>
    public static string Format<T>(T value) => value switch
    {
        ReadOnlyMemory<char> m => m.ToString(),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        null => string.Empty,
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Formats every item of the vector annotation <paramref name="column"/> of <paramref name="annotations"/>.</summary>
    public static string[] FormatVector(DataViewSchema.Annotations annotations, DataViewSchema.Column column)
    {
        if (column.Type is not VectorDataViewType v)
            throw new InvalidOperationException($"Annotation '{column.Name}' is {column.Type}, not a vector.");
        return GenericDispatch.Invoke(v.ItemType.RawType, new FormatFunc(annotations, column.Name));
    }

    private sealed class FormatFunc(DataViewSchema.Annotations annotations, string kind) : IGenericFunc<string[]>
    {
        public string[] Invoke<T>()
        {
            var buffer = default(VBuffer<T>);
            annotations.GetValue(kind, ref buffer);
            return buffer.DenseValues().Select(Format).ToArray();
        }
    }
}
