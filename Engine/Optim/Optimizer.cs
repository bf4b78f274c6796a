using MlPipelines.Engine.Nn;

namespace MlPipelines.Engine.Optim;

/// <summary>
/// Base of the optimizers: parameter groups, per-parameter buffers created on first use, a step counter, and
/// state export/import for checkpoints. Frozen parameters (RequiresGrad false) are skipped and get no state.
/// </summary>
public abstract class Optimizer
{
    private readonly Dictionary<(int Group, int Index, string Name), float[]> _buffers = [];

    /// <summary>Creates the optimizer over <paramref name="groups"/>.</summary>
    protected Optimizer(IEnumerable<ParameterGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        Groups = groups.ToArray();
        if (Groups.Count == 0) throw new ArgumentException("An optimizer needs at least one parameter group.", nameof(groups));
    }

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>Number of steps taken.</summary>
    public long StepCount { get; private set; }

    /// <summary>Applies one update to every trainable parameter from its gradient.</summary>
    public void Step()
    {
        StepCount++;
        // One buffer accessor per parameter, made once: a step allocates nothing.
        _accessors ??= [.. Groups.Select((group, g) => group.Parameters.Select((p, i) =>
            (Func<string, int, float[]>)((name, length) => Buffer(g, i, name, length == 0 ? p.Value.Length : length))).ToArray())];
        for (int g = 0; g < Groups.Count; g++)
        {
            ParameterGroup group = Groups[g];
            for (int i = 0; i < group.Parameters.Count; i++)
            {
                Parameter p = group.Parameters[i];
                if (!p.RequiresGrad) continue;
                double wd = p.ApplyWeightDecay ? group.WeightDecay : 0;
                Update(p.Value.Span, p.Grad.Span, group, wd, _accessors[g][i]);
            }
        }
    }

    private Func<string, int, float[]>[][]? _accessors;

    /// <summary>Zeroes every gradient.</summary>
    public void ZeroGrad()
    {
        // Indexed loops: foreach over the interface-typed lists would allocate an enumerator per step.
        for (int g = 0; g < Groups.Count; g++)
        {
            var parameters = Groups[g].Parameters;
            for (int i = 0; i < parameters.Count; i++) parameters[i].ZeroGrad();
        }
    }

    /// <summary>
    /// Updates one parameter. <paramref name="buffer"/>(name, length) returns the parameter's named buffer, zero-filled when new;
    /// length 0 means "as long as the parameter".
    /// </summary>
    protected abstract void Update(Span<float> value, ReadOnlySpan<float> grad, ParameterGroup group, double weightDecay, Func<string, int, float[]> buffer);

    /// <summary>Whether the named buffer of that parameter exists yet (e.g. SGD initialises momentum with the first gradient).</summary>
    protected bool IsNew(float[] buffer) => _fresh.Remove(buffer);

    private readonly HashSet<float[]> _fresh = new(ReferenceEqualityComparer.Instance);

    /// <summary>A copy of the full state.</summary>
    public OptimizerState ExportState() => new(
        StepCount,
        Groups.Select(g => g.LearningRate).ToArray(),
        Groups.Select(g => g.Momentum).ToArray(),
        _buffers.ToDictionary(kv => $"{kv.Key.Group}.{kv.Key.Index}.{kv.Key.Name}", kv => (float[])kv.Value.Clone()));

    /// <summary>Restores a state from <see cref="ExportState"/>; sizes are checked against the parameters.</summary>
    public void ImportState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.LearningRates.Count != Groups.Count)
            throw new ArgumentException($"The state has {state.LearningRates.Count} parameter groups; this optimizer has {Groups.Count}.", nameof(state));
        _buffers.Clear();
        _fresh.Clear();
        foreach (var (key, values) in state.Buffers)
        {
            string[] parts = key.Split('.', 3);
            if (parts.Length != 3 || !int.TryParse(parts[0], out int g) || !int.TryParse(parts[1], out int i) || g >= Groups.Count || i >= Groups[g].Parameters.Count || g < 0 || i < 0)
                throw new ArgumentException($"Optimizer state key '{key}' does not name a parameter of this optimizer.", nameof(state));
            int expected = Groups[g].Parameters[i].Value.Length;
            if (values.Length != expected && values.Length != 1)
                throw new ArgumentException($"Optimizer state '{key}' holds {values.Length} values; the parameter has {expected}.", nameof(state));
            _buffers[(g, i, parts[2])] = (float[])values.Clone();
        }
        for (int g = 0; g < Groups.Count; g++)
        {
            Groups[g].LearningRate = state.LearningRates[g];
            Groups[g].Momentum = state.Momenta[g];
        }
        StepCount = state.Step;
    }

    private float[] Buffer(int group, int index, string name, int length)
    {
        if (_buffers.TryGetValue((group, index, name), out float[]? b)) return b;
        b = new float[length];
        _buffers[(group, index, name)] = b;
        _fresh.Add(b);
        return b;
    }

    /// <summary>One group over all of a model's trainable parameters.</summary>
    protected static ParameterGroup[] SingleGroup(IEnumerable<Parameter> parameters, double lr, double weightDecay) =>
        [new ParameterGroup(parameters, lr, weightDecay)];
}
