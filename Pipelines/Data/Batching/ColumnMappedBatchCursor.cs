namespace MlPipelines.Data.Batching;

/// <summary>A batch cursor of a view whose columns are columns of an inner view under other indexes (select, drop, pass-through).</summary>
internal sealed class ColumnMappedBatchCursor(DataViewBatchCursor inner, DataViewSchema schema, int[] outerToInner, bool[] active)
    : DataViewBatchCursor(schema, inner.BatchSize)
{
    public override int Count => inner.Count;

    public override long Position => inner.Position;

    public override bool MoveNext() => inner.MoveNext();

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        Schema.CheckColumn(column, nameof(column));
        return active[column.Index];
    }

    public override void CopyFloats(DataViewSchema.Column column, Span<float> destination)
    {
        CheckFloats(column, destination.Length);
        inner.CopyFloats(Inner(column), destination);
    }

    public override void CopyKeys(DataViewSchema.Column column, Span<int> destination)
    {
        CheckKeys(column, destination.Length);
        inner.CopyKeys(Inner(column), destination);
    }

    public override void CopyValues<TValue>(DataViewSchema.Column column, Span<TValue> destination)
    {
        CheckValues<TValue>(column, destination.Length);
        inner.CopyValues(Inner(column), destination);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    private DataViewSchema.Column Inner(DataViewSchema.Column column) => inner.Schema[outerToInner[column.Index]];
}
