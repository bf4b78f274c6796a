using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlPipelines.Model.Format;

/// <summary>JSON settings of model files: strict reading (no trailing commas, bounded depth), enums as names.</summary>
internal static class ModelJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        Converters = { new JsonStringEnumConverter() },
        MaxDepth = 64,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
    };

    public static JsonDocumentOptions DocumentOptions { get; } = new() { MaxDepth = 256 };
}
