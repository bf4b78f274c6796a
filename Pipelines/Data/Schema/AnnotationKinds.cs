namespace MlPipelines.Data;

/// <summary>Well-known annotation kinds (ML.NET's names).</summary>
public static class AnnotationKinds
{
    /// <summary>On a key column: a vector with the value (e.g. class name) of each key, key k at index k - 1.</summary>
    public const string KeyValues = "KeyValues";

    /// <summary>On a vector column: a text vector naming each slot.</summary>
    public const string SlotNames = "SlotNames";
}
