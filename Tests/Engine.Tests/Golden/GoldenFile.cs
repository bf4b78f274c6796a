using System.Text.Json;

namespace MlPipelines.Engine.Tests.Golden;

/// <summary>
/// Reads golden files written by the PyTorch generator scripts beside this file (golden_io.py).
/// Format: {"generator": "...", "torch": "1.13...", "cases": [{"name": "...", "attrs": {...},
/// "tensors": {"x": {"shape": [..], "data": [..]}, ...}}]}. Data is row-major float32.
/// </summary>
internal sealed class GoldenFile
{
    private GoldenFile(IReadOnlyList<GoldenCase> cases) => Cases = cases;

    public IReadOnlyList<GoldenCase> Cases { get; }

    public GoldenCase this[string name] =>
        Cases.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"golden case '{name}' not found");

    /// <summary>Loads Golden/<paramref name="fileName"/> copied to the test output folder.</summary>
    public static GoldenFile Load(string fileName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", fileName);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var cases = new List<GoldenCase>();
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var tensors = new Dictionary<string, GoldenTensor>();
            foreach (JsonProperty t in c.GetProperty("tensors").EnumerateObject())
            {
                int[] shape = t.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                float[] data = t.Value.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
                tensors[t.Name] = new GoldenTensor(shape, data);
            }
            var attrs = c.TryGetProperty("attrs", out JsonElement a) ? a.Clone() : default;
            cases.Add(new GoldenCase(c.GetProperty("name").GetString()!, attrs, tensors));
        }
        return new GoldenFile(cases);
    }
}

internal sealed record GoldenCase(string Name, JsonElement Attrs, IReadOnlyDictionary<string, GoldenTensor> Tensors)
{
    public GoldenTensor this[string tensor] =>
        Tensors.TryGetValue(tensor, out var t) ? t : throw new KeyNotFoundException($"tensor '{tensor}' not in golden case '{Name}'");

    public int Int(string attr) => Attrs.GetProperty(attr).GetInt32();
    public float Float(string attr) => Attrs.GetProperty(attr).GetSingle();
    public bool Bool(string attr) => Attrs.GetProperty(attr).GetBoolean();
    public string Str(string attr) => Attrs.GetProperty(attr).GetString()!;
    public int[] Ints(string attr) => Attrs.GetProperty(attr).EnumerateArray().Select(e => e.GetInt32()).ToArray();
    public bool Has(string attr) => Attrs.ValueKind == JsonValueKind.Object && Attrs.TryGetProperty(attr, out _);
}

internal sealed record GoldenTensor(int[] Shape, float[] Data);
