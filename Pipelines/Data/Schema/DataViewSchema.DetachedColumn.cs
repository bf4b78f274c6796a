namespace MlPipelines.Data;

public sealed partial class DataViewSchema
{
    /// <summary>A column description not bound to a schema: what a transform says it adds.</summary>
    public readonly struct DetachedColumn
    {
        /// <summary>Describes a column.</summary>
        public DetachedColumn(string name, DataViewType type, Annotations? annotations = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(type);
            Name = name;
            Type = type;
            Annotations = annotations ?? Annotations.Empty;
        }

        /// <summary>Detaches a schema column.</summary>
        public DetachedColumn(Column column)
            : this(column.Name, column.Type, column.Annotations)
        {
        }

        /// <summary>The column's name.</summary>
        public string Name { get; }

        /// <summary>The column's type.</summary>
        public DataViewType Type { get; }

        /// <summary>The column's annotations.</summary>
        public Annotations Annotations { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Name}: {Type}";
    }
}
