namespace MlPipelines.Data.Views;

/// <summary>The row a cursor over an indexed view is on (−1 when not on a row), shared with its getters.</summary>
internal sealed class RowCursorState
{
    public long Row = -1;
}
