namespace MlPipelines.Data;

public sealed partial class DataViewSchema
{
    /// <summary>One column of a schema: its name, index, type, annotations and whether a later column hides it.</summary>
    public readonly struct Column
    {
        internal Column(string name, int index, bool isHidden, DataViewType type, Annotations annotations)
        {
            Name = name;
            Index = index;
            IsHidden = isHidden;
            Type = type;
            Annotations = annotations;
        }

        /// <summary>The column's name.</summary>
        public string Name { get; }

        /// <summary>The column's index in its schema.</summary>
        public int Index { get; }

        /// <summary>Whether a later column of the same name hides this one.</summary>
        public bool IsHidden { get; }

        /// <summary>The column's type.</summary>
        public DataViewType Type { get; }

        /// <summary>The column's annotations (e.g. key values, slot names).</summary>
        public Annotations Annotations { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Name}: {Type}{(IsHidden ? " (hidden)" : "")}";
    }
}
