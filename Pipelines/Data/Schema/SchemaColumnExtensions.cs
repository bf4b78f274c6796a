namespace MlPipelines.Data;

/// <summary>Helpers for reading well-known annotations of a column.</summary>
public static class SchemaColumnExtensions
{
    /// <summary>Whether the column has <see cref="AnnotationKinds.KeyValues"/>.</summary>
    public static bool HasKeyValues(this DataViewSchema.Column column) =>
        column.Annotations.Schema.GetColumnOrNull(AnnotationKinds.KeyValues) is not null;

    /// <summary>Reads the column's <see cref="AnnotationKinds.KeyValues"/>.</summary>
    public static void GetKeyValues<TValue>(this DataViewSchema.Column column, ref VBuffer<TValue> keyValues) =>
        column.Annotations.GetValue(AnnotationKinds.KeyValues, ref keyValues);

    /// <summary>
    /// The column's key values as strings (class names; numbers formatted invariantly), or null when the
    /// column has no key values. Index i names key i + 1.
    /// </summary>
    public static IReadOnlyList<string>? GetKeyValueNames(this DataViewSchema.Column column)
    {
        var a = column.Annotations;
        if (a.TryGetValue(AnnotationKinds.KeyValues, out VBuffer<ReadOnlyMemory<char>> text))
            return text.DenseValues().Select(m => m.ToString()).ToArray();
        var annotation = a.Schema.GetColumnOrNull(AnnotationKinds.KeyValues);
        if (annotation is null) return null;
        return Internal.ValueFormat.FormatVector(a, annotation.Value);
    }

    /// <summary>Whether the column has <see cref="AnnotationKinds.SlotNames"/>.</summary>
    public static bool HasSlotNames(this DataViewSchema.Column column) =>
        column.Annotations.Schema.GetColumnOrNull(AnnotationKinds.SlotNames) is not null;

    /// <summary>Reads the column's <see cref="AnnotationKinds.SlotNames"/>.</summary>
    public static void GetSlotNames(this DataViewSchema.Column column, ref VBuffer<ReadOnlyMemory<char>> slotNames) =>
        column.Annotations.GetValue(AnnotationKinds.SlotNames, ref slotNames);
}
