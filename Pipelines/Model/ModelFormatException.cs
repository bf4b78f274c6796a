namespace MlPipelines.Model;

/// <summary>
/// The one exception a model file's content can cause on load: truncated or corrupt data, a newer or unknown
/// format version, unsafe entry names (path traversal), tensors whose sizes do not match the data, unknown
/// component names or types, invalid options. The cause, when another exception, is the inner exception.
/// </summary>
public sealed class ModelFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public ModelFormatException()
        : base("The model file is not valid.")
    {
    }
}
