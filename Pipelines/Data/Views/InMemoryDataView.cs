namespace MlPipelines.Data.Views;

/// <summary>An indexed view over columns held in memory.</summary>
internal sealed class InMemoryDataView(DataViewSchema schema, IndexedColumn[] columns, long rowCount) : IndexedDataView(schema)
{
    public override long RowCount => rowCount;

    internal override IndexedColumn GetColumn(int index) => columns[index];
}
