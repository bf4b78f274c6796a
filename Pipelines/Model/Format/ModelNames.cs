namespace MlPipelines.Model.Format;

/// <summary>Names used in model files: entries, limits, and the allowed characters of component, key and tensor names.</summary>
internal static class ModelNames
{
    public const string FormatName = "MlPipelines.Model";
    public const int FormatVersion = 1;
    public const string ManifestEntry = "manifest.json";
    public const string TensorsEntry = "tensors.safetensors";
    public const long MaxManifestBytes = 16L << 20;
    public const long MaxTensorBytes = 0x7FFF_FFC7;
    public const int MaxEntries = 16;
    public const int MaxDepth = 48;

    /// <summary>Whether <paramref name="name"/> is 1-128 characters of letters, digits, '.', '_' or '-' (component names).</summary>
    public static bool IsComponentName(string? name) => IsName(name, allowDot: true);

    /// <summary>Whether <paramref name="name"/> is 1-128 characters of letters, digits, '_' or '-' (keys and tensor names).</summary>
    public static bool IsKey(string? name) => IsName(name, allowDot: false);

    private static bool IsName(string? name, bool allowDot)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 128) return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-' || (allowDot && c == '.'))) return false;
        return true;
    }
}
