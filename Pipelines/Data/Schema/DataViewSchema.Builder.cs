namespace MlPipelines.Data;

public sealed partial class DataViewSchema
{
    /// <summary>Builds a <see cref="DataViewSchema"/> column by column.</summary>
    public sealed class Builder
    {
        private readonly List<DetachedColumn> _columns = [];

        /// <summary>Adds a column; a later column with the same name hides it.</summary>
        public Builder AddColumn(string name, DataViewType type, Annotations? annotations = null)
        {
            _columns.Add(new DetachedColumn(name, type, annotations));
            return this;
        }

        /// <summary>Adds columns in order.</summary>
        public Builder AddColumns(IEnumerable<Column> columns)
        {
            ArgumentNullException.ThrowIfNull(columns);
            foreach (var c in columns) _columns.Add(new DetachedColumn(c));
            return this;
        }

        /// <summary>Adds columns in order.</summary>
        public Builder AddColumns(IEnumerable<DetachedColumn> columns)
        {
            ArgumentNullException.ThrowIfNull(columns);
            _columns.AddRange(columns);
            return this;
        }

        /// <summary>The schema of the columns added so far.</summary>
        public DataViewSchema ToSchema() => new([.. _columns]);
    }
}
