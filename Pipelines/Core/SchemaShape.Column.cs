using System.Collections.Immutable;
using MlPipelines.Data;

namespace MlPipelines;

public sealed partial class SchemaShape
{
    /// <summary>One column of a <see cref="SchemaShape"/>.</summary>
    public readonly struct Column
    {
        /// <summary>Describes a column.</summary>
        /// <param name="name">The column's name.</param>
        /// <param name="kind">Scalar, vector of known size or vector of variable size.</param>
        /// <param name="itemType">The item type (for keys, the key type or its raw number type).</param>
        /// <param name="isKey">Whether the items are keys.</param>
        /// <param name="annotations">The annotation columns (by kind), or null for none.</param>
        /// <param name="dimensions">The vector shape when known (e.g. [3, 224, 224]); null when unknown.</param>
        public Column(string name, VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations = null, IReadOnlyList<int>? dimensions = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(itemType);
            if (itemType is VectorDataViewType)
                throw new ArgumentException("The item type of a column shape cannot be a vector type.", nameof(itemType));
            if (dimensions is not null && kind == VectorKind.Scalar)
                throw new ArgumentException("A scalar column has no dimensions.", nameof(dimensions));
            Name = name;
            Kind = kind;
            ItemType = itemType;
            IsKey = isKey;
            Annotations = annotations ?? new SchemaShape([]);
            Dimensions = dimensions is null ? default : [.. dimensions];
        }

        /// <summary>Kinds of columns.</summary>
        public enum VectorKind
        {
            /// <summary>One value per row.</summary>
            Scalar,

            /// <summary>A vector of known size.</summary>
            Vector,

            /// <summary>A vector whose size varies or is unknown.</summary>
            VariableVector,
        }

        /// <summary>The column's name.</summary>
        public string Name { get; }

        /// <summary>Scalar or vector.</summary>
        public VectorKind Kind { get; }

        /// <summary>The item type.</summary>
        public DataViewType ItemType { get; }

        /// <summary>Whether the items are keys.</summary>
        public bool IsKey { get; }

        /// <summary>The annotations, one column per kind.</summary>
        public SchemaShape Annotations { get; }

        /// <summary>The vector shape when known; default (IsDefault) otherwise.</summary>
        public ImmutableArray<int> Dimensions { get; }

        /// <summary>Whether this is a real column (not default).</summary>
        public bool IsValid => Name is not null;

        /// <summary>The shape of a schema column.</summary>
        public static Column FromSchemaColumn(DataViewSchema.Column column)
        {
            var annotations = new SchemaShape(column.Annotations.Schema.Where(a => !a.IsHidden).Select(a => FromType(a.Name, a.Type, null)));
            return FromType(column.Name, column.Type, annotations);
        }

        /// <summary>The shape of a column of <paramref name="type"/>.</summary>
        public static Column FromType(string name, DataViewType type, SchemaShape? annotations)
        {
            ArgumentNullException.ThrowIfNull(type);
            if (type is VectorDataViewType v)
            {
                var kind = v.IsKnownSize ? VectorKind.Vector : VectorKind.VariableVector;
                return new Column(name, kind, v.ItemType, v.ItemType is KeyDataViewType, annotations, v.IsKnownSize ? v.Dimensions : null);
            }
            return new Column(name, VectorKind.Scalar, type, type is KeyDataViewType, annotations);
        }

        /// <summary>
        /// Whether a column of shape <paramref name="source"/> satisfies this required shape: same kind, item
        /// type and key-ness, the required annotations present, and equal sizes when both are known.
        /// </summary>
        public bool IsCompatibleWith(Column source)
        {
            if (!source.IsValid || Kind != source.Kind || IsKey != source.IsKey) return false;
            if (IsKey)
            {
                if (ItemType.RawType != source.ItemType.RawType) return false;
                if (ItemType is KeyDataViewType k && source.ItemType is KeyDataViewType sk && k.Count != sk.Count) return false;
            }
            else if (!ItemType.Equals(source.ItemType))
            {
                return false;
            }
            if (!Dimensions.IsDefault && !source.Dimensions.IsDefault && Product(Dimensions) != Product(source.Dimensions)) return false;
            foreach (var a in Annotations)
                if (!source.Annotations.TryFindColumn(a.Name, out var sa) || !a.IsCompatibleWith(sa)) return false;
            return true;
        }

        /// <summary>A readable type, e.g. "Vector&lt;Single, 3, 224, 224&gt;", "Key&lt;UInt32&gt;" or "Single".</summary>
        public string GetTypeString()
        {
            string item = IsKey ? (ItemType is KeyDataViewType k ? k.ToString() : $"Key<{ItemType.RawType.Name}>") : ItemType.ToString() ?? "?";
            return Kind switch
            {
                VectorKind.Scalar => item,
                VectorKind.Vector when !Dimensions.IsDefault => $"Vector<{item}, {string.Join(", ", Dimensions)}>",
                VectorKind.Vector => $"Vector<{item}, known size>",
                _ => $"Vector<{item}>",
            };
        }

        /// <inheritdoc />
        public override string ToString() => $"{Name}: {GetTypeString()}";

        private static long Product(ImmutableArray<int> dims)
        {
            long p = 1;
            foreach (int d in dims) p *= d;
            return p;
        }
    }
}
