namespace MlPipelines.Data;

public sealed partial class DataViewSchema
{
    /// <summary>
    /// Values attached to a column, each of a kind (<see cref="AnnotationKinds"/>) with its own type, e.g. a key
    /// column's class names. Values are shared, not copied: treat them as read-only.
    /// </summary>
    public sealed partial class Annotations
    {
        private readonly object?[] _values;

        private Annotations(DataViewSchema schema, object?[] values)
        {
            Schema = schema;
            _values = values;
        }

        /// <summary>No annotations.</summary>
        public static Annotations Empty { get; } = new(DataViewSchema.Empty, []);

        /// <summary>One column per annotation kind: its name is the kind and its type the value's type.</summary>
        public DataViewSchema Schema { get; }

        /// <summary>Reads the value of <paramref name="kind"/>; throws when it is missing or of another type.</summary>
        public void GetValue<TValue>(string kind, ref TValue value)
        {
            var column = Schema.GetColumnOrNull(kind)
                ?? throw new InvalidOperationException($"No annotation of kind '{kind}'; present: {Schema.DescribeNames()}.");
            value = Read<TValue>(column);
        }

        /// <summary>A getter of the annotation <paramref name="column"/> of <see cref="Schema"/>.</summary>
        public ValueGetter<TValue> GetGetter<TValue>(Column column)
        {
            Schema.CheckColumn(column, nameof(column));
            TValue v = Read<TValue>(column);
            return (ref TValue value) => value = v;
        }

        /// <summary>Whether an annotation of <paramref name="kind"/> with values of <typeparamref name="TValue"/> exists.</summary>
        public bool TryGetValue<TValue>(string kind, out TValue value)
        {
            var column = Schema.GetColumnOrNull(kind);
            if (column is { } c && c.Type.RawType == typeof(TValue))
            {
                value = (TValue)_values[c.Index]!;
                return true;
            }
            value = default!;
            return false;
        }

        private TValue Read<TValue>(Column column)
        {
            if (column.Type.RawType != typeof(TValue))
                throw new InvalidOperationException(
                    $"Annotation '{column.Name}' has type {column.Type} (values {column.Type.RawType.Name}); {typeof(TValue).Name} was requested.");
            return (TValue)_values[column.Index]!;
        }
    }
}
