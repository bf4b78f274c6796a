namespace MlPipelines.Engine.Nn;

/// <summary>Named tensors of a model (parameters and buffers) in a stable order, with the layout version that wrote them.</summary>
public sealed class StateDict : Dictionary<string, Tensor>
{
    /// <summary>Creates an empty state dict.</summary>
    public StateDict() : base(StringComparer.Ordinal)
    {
    }

    /// <summary>Layout version (see <see cref="Module.StateDictVersion"/>).</summary>
    public int Version { get; set; } = Module.StateDictVersion;

    /// <summary>A deep copy (independent tensors).</summary>
    public StateDict Clone()
    {
        var copy = new StateDict { Version = Version };
        foreach (var (k, v) in this) copy[k] = v.Clone();
        return copy;
    }
}
