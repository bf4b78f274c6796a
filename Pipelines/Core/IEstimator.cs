namespace MlPipelines;

/// <summary>Learns a transformer from data (ML.NET's IEstimator).</summary>
/// <typeparam name="TTransformer">The fitted transformer's type.</typeparam>
public interface IEstimator<out TTransformer>
    where TTransformer : ITransformer
{
    /// <summary>
    /// Checks the input schema (as <see cref="GetOutputSchema"/> does, before reading any data) and fits.
    /// Throws <see cref="SchemaMismatchException"/> when an input column is missing or of the wrong type.
    /// </summary>
    TTransformer Fit(IDataView input);

    /// <summary>
    /// The schema the fitted transformer will produce from data of <paramref name="inputSchema"/>, reporting
    /// every column added; throws <see cref="SchemaMismatchException"/> naming the column, the expected and
    /// the actual type when an input does not fit. Reads no data.
    /// </summary>
    SchemaShape GetOutputSchema(SchemaShape inputSchema);
}
