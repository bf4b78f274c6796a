namespace MlPipelines;

/// <summary>
/// An input column is missing or of the wrong type. Thrown by GetOutputSchema and Fit before any data is read
/// (and by Transform on an incompatible view). The message names the column, the expected and the actual type.
/// </summary>
public sealed class SchemaMismatchException : ArgumentOutOfRangeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="columnName">The input column.</param>
    /// <param name="expectedType">What the component needs, e.g. "Vector&lt;Single, 784&gt;".</param>
    /// <param name="actualType">What the input has, or null when the column is missing.</param>
    /// <param name="paramName">The schema argument's name.</param>
    public SchemaMismatchException(string columnName, string expectedType, string? actualType, string paramName = "inputSchema")
        : base(paramName, actualType is null
            ? $"Input column '{columnName}' not found; expected a column of type {expectedType}."
            : $"Schema mismatch for input column '{columnName}': expected {expectedType}, got {actualType}.")
    {
        ColumnName = columnName;
        ExpectedType = expectedType;
        ActualType = actualType;
    }

    /// <summary>The input column.</summary>
    public string ColumnName { get; }

    /// <summary>The expected type.</summary>
    public string ExpectedType { get; }

    /// <summary>The actual type, or null when the column is missing.</summary>
    public string? ActualType { get; }
}
