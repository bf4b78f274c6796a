namespace MlPipelines.Data;

/// <summary>A forward-only cursor over the rows of a data view (ML.NET's DataViewRowCursor).</summary>
public abstract class DataViewRowCursor : DataViewRow
{
    /// <summary>Moves to the next row; false at the end.</summary>
    public abstract bool MoveNext();
}
