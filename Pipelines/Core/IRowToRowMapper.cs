using MlPipelines.Data;

namespace MlPipelines;

/// <summary>Maps one input row to one output row (ML.NET's IRowToRowMapper); what prediction engines run.</summary>
public interface IRowToRowMapper
{
    /// <summary>The schema of input rows.</summary>
    DataViewSchema InputSchema { get; }

    /// <summary>The schema of output rows.</summary>
    DataViewSchema OutputSchema { get; }

    /// <summary>The input columns needed to compute <paramref name="dependingColumns"/> of the output.</summary>
    IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns);

    /// <summary>
    /// The output row over <paramref name="input"/> with <paramref name="activeColumns"/> readable; the input must
    /// have the dependencies of those columns active. The output follows the input as it moves.
    /// </summary>
    DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns);
}
