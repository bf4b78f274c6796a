using System.Text;
using MlPipelines.Engine.Nn;
using MlPipelines.Testing;

namespace MlPipelines.Engine.Tests.Models.Zoo;

/// <summary>Reads the fixtures gen_zoo.py writes beside this file (format in its docstring).</summary>
internal static class ZooFixture
{
    private static string PathOf(string file) => Path.Combine(TestPaths.RepositoryRoot, "Tests", "Engine.Tests", "Models", "Zoo", file);

    /// <summary>The named tensors of a zoo_*.bin file, in file order.</summary>
    public static IReadOnlyDictionary<string, Tensor> Tensors(string file)
    {
        using var reader = new BinaryReader(File.OpenRead(PathOf(file)), Encoding.UTF8);
        if (Encoding.ASCII.GetString(reader.ReadBytes(4)) != "MLPZ") throw new InvalidDataException($"{file} is not a zoo fixture");
        int count = reader.ReadInt32();
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int t = 0; t < count; t++)
        {
            string name = Encoding.UTF8.GetString(reader.ReadBytes(reader.ReadInt32()));
            var shape = new int[reader.ReadInt32()];
            for (int d = 0; d < shape.Length; d++) shape[d] = reader.ReadInt32();
            var tensor = new Tensor(shape);
            Span<float> data = tensor.Span;
            for (int i = 0; i < data.Length; i++) data[i] = reader.ReadSingle();
            result[name] = tensor;
        }
        return result;
    }

    /// <summary>The "state." entries of a fixture as a state dict (prefix removed).</summary>
    public static StateDict State(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var state = new StateDict();
        foreach (var (name, t) in tensors)
            if (name.StartsWith("state.", StringComparison.Ordinal)) state[name["state.".Length..]] = t;
        return state;
    }

    /// <summary>torchvision's state-dict keys and shapes per model name (zoo_keys.txt).</summary>
    public static IReadOnlyDictionary<string, Dictionary<string, int[]>> TorchvisionKeys()
    {
        var result = new Dictionary<string, Dictionary<string, int[]>>();
        Dictionary<string, int[]>? current = null;
        foreach (string line in File.ReadLines(PathOf("zoo_keys.txt")))
        {
            string[] parts = line.Split(' ');
            if (parts[0] == "model") result[parts[1]] = current = new Dictionary<string, int[]>(StringComparer.Ordinal);
            else current![parts[0]] = parts[1].Split(',').Select(int.Parse).ToArray();
        }
        return result;
    }
}
