namespace MlPipelines.Data;

public sealed partial class DataViewSchema
{
    public sealed partial class Annotations
    {
        /// <summary>Builds <see cref="Annotations"/>; adding a kind twice keeps the later value.</summary>
        public sealed class Builder
        {
            private readonly List<(string Kind, DataViewType Type, object? Value)> _items = [];

            /// <summary>Adds an annotation of <paramref name="kind"/> with a value of <paramref name="type"/>.</summary>
            public Builder Add<TValue>(string kind, DataViewType type, TValue value)
            {
                ArgumentException.ThrowIfNullOrEmpty(kind);
                ArgumentNullException.ThrowIfNull(type);
                if (type.RawType != typeof(TValue))
                    throw new ArgumentException($"Annotation '{kind}' of type {type} holds {type.RawType.Name} values, not {typeof(TValue).Name}.", nameof(value));
                _items.RemoveAll(i => i.Kind == kind);
                _items.Add((kind, type, value));
                return this;
            }

            /// <summary>Adds an annotation whose value the getter produces (read once, now).</summary>
            public Builder Add<TValue>(string kind, DataViewType type, ValueGetter<TValue> getter)
            {
                ArgumentNullException.ThrowIfNull(getter);
                TValue value = default!;
                getter(ref value);
                return Add(kind, type, value);
            }

            /// <summary>Adds the <see cref="AnnotationKinds.KeyValues"/> (class names) of a key column with <paramref name="size"/> keys.</summary>
            public Builder AddKeyValues<TValue>(int size, PrimitiveDataViewType valueType, ValueGetter<VBuffer<TValue>> getter)
            {
                ArgumentNullException.ThrowIfNull(getter);
                var value = default(VBuffer<TValue>);
                getter(ref value);
                if (value.Length != size)
                    throw new ArgumentException($"Key values have {value.Length} items, expected {size}.", nameof(getter));
                return Add(AnnotationKinds.KeyValues, new VectorDataViewType(valueType, size), new VBuffer<TValue>(value.ToArray()));
            }

            /// <summary>Adds text <see cref="AnnotationKinds.KeyValues"/> (class names).</summary>
            public Builder AddKeyValues(IReadOnlyList<string> names)
            {
                ArgumentNullException.ThrowIfNull(names);
                var items = new ReadOnlyMemory<char>[names.Count];
                for (int i = 0; i < items.Length; i++) items[i] = (names[i] ?? throw new ArgumentException("Key value names must not be null.", nameof(names))).AsMemory();
                return Add(AnnotationKinds.KeyValues, new VectorDataViewType(TextDataViewType.Instance, items.Length), new VBuffer<ReadOnlyMemory<char>>(items));
            }

            /// <summary>Adds <see cref="AnnotationKinds.SlotNames"/> of a vector column of <paramref name="size"/> items.</summary>
            public Builder AddSlotNames(int size, ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter)
            {
                ArgumentNullException.ThrowIfNull(getter);
                var value = default(VBuffer<ReadOnlyMemory<char>>);
                getter(ref value);
                if (value.Length != size)
                    throw new ArgumentException($"Slot names have {value.Length} items, expected {size}.", nameof(getter));
                return Add(AnnotationKinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, size), new VBuffer<ReadOnlyMemory<char>>(value.ToArray()));
            }

            /// <summary>Adds the annotations of <paramref name="annotations"/> whose kind <paramref name="selector"/> accepts (all when null).</summary>
            public Builder Add(Annotations annotations, Func<string, bool>? selector = null)
            {
                ArgumentNullException.ThrowIfNull(annotations);
                foreach (var column in annotations.Schema)
                {
                    if (column.IsHidden || (selector is not null && !selector(column.Name))) continue;
                    _items.RemoveAll(i => i.Kind == column.Name);
                    _items.Add((column.Name, column.Type, annotations._values[column.Index]));
                }
                return this;
            }

            /// <summary>The annotations added so far.</summary>
            public Annotations ToAnnotations()
            {
                if (_items.Count == 0) return Empty;
                var schema = new DataViewSchema(_items.Select(i => new DetachedColumn(i.Kind, i.Type, Empty)).ToList());
                return new Annotations(schema, _items.Select(i => i.Value).ToArray());
            }
        }
    }
}
