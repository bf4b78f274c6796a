using MlPipelines.Data;

namespace MlPipelines;

/// <summary>Maps data views to data views lazily (ML.NET's ITransformer).</summary>
public interface ITransformer : ICanSaveModel
{
    /// <summary>Whether <see cref="GetRowToRowMapper"/> works (needed by a prediction engine).</summary>
    bool IsRowToRowMapper { get; }

    /// <summary>The output schema for input of <paramref name="inputSchema"/>; throws <see cref="SchemaMismatchException"/> when it does not fit.</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>A mapper of single rows of <paramref name="inputSchema"/>.</summary>
    IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema);

    /// <summary>The transformed view; nothing is computed until a cursor reads it.</summary>
    IDataView Transform(IDataView input);
}
