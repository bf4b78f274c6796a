namespace MlPipelines.Internal;

/// <summary>Readable names of CLR types for error messages (VBuffer&lt;Single&gt; rather than VBuffer`1).</summary>
internal static class TypeNames
{
    public static string Of(Type type)
    {
        if (!type.IsGenericType) return type.Name;
        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0) name = name[..tick];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Of))}>";
    }
}
