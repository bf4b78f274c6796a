namespace MlPipelines.Engine.Nn;

/// <summary>
/// A layer or a network: named parameters, buffers and sub-modules (PyTorch's model, .NET's names), an
/// explicit <see cref="Forward"/> and <see cref="Backward"/>, train/eval modes, state dicts with dotted keys
/// (<c>layer1.0.conv1.weight</c>) and the shape arithmetic a summary needs. A module instance appears once in
/// a network (its per-step state is keyed by the instance).
/// </summary>
public abstract class Module
{
    /// <summary>Version of the state-dict layout written by this library; <see cref="MigrateStateDict"/> upgrades older ones.</summary>
    public const int StateDictVersion = 1;

    private readonly List<(string Name, Parameter Value)> _parameters = [];
    private readonly List<(string Name, Tensor Value)> _buffers = [];
    private readonly List<(string Name, Module Value)> _children = [];

    /// <summary>Whether the module is in training mode (batch statistics, dropout on).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Computes the output; keeps what <see cref="Backward"/> needs in <paramref name="context"/> when it records.</summary>
    public abstract Tensor Forward(Tensor input, StepContext context);

    /// <summary>Given dLoss/dOutput, accumulates parameter gradients and returns dLoss/dInput.</summary>
    public abstract Tensor Backward(Tensor outputGradient, StepContext context);

    /// <summary>The output shape for an input shape (including the batch dimension); throws naming the module when the input does not fit.</summary>
    public abstract int[] OutputShape(int[] inputShape);

    /// <summary>Multiply-adds of one forward pass over an input of this shape (leaf modules; containers sum their children).</summary>
    public virtual long MultiplyAdds(int[] inputShape) => 0;

    /// <summary>Direct sub-modules with their names.</summary>
    public IReadOnlyList<(string Name, Module Value)> Children => _children;

    /// <summary>Switches this module and all below it to training (true) or evaluation (false) mode.</summary>
    public Module Train(bool training = true)
    {
        IsTraining = training;
        foreach (var (_, child) in _children) child.Train(training);
        return this;
    }

    /// <summary>Switches to evaluation mode.</summary>
    public Module Eval() => Train(false);

    /// <summary>All parameters below this module with dotted names.</summary>
    public IEnumerable<(string Name, Parameter Value)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters) yield return (prefix + name, p);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedParameters(prefix + name + ".")) yield return item;
    }

    /// <summary>All parameters below this module.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>All buffers (running statistics) below this module with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, b) in _buffers) yield return (prefix + name, b);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedBuffers(prefix + name + ".")) yield return item;
    }

    /// <summary>This module and every module below it, depth first, with dotted paths ("" for this one).</summary>
    public IEnumerable<(string Name, Module Value)> NamedModules(string prefix = "")
    {
        yield return (prefix.TrimEnd('.'), this);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedModules(prefix + name + ".")) yield return item;
    }

    /// <summary>Number of parameter values.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Value.Length);

    /// <summary>Stops gradients and updates for every parameter below this module.</summary>
    public void Freeze() => SetRequiresGrad(false);

    /// <summary>Re-enables gradients and updates for every parameter below this module.</summary>
    public void Unfreeze() => SetRequiresGrad(true);

    /// <summary>Zeroes every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (Parameter p in Parameters()) p.ZeroGrad();
    }

    /// <summary>Parameters and buffers by dotted name, in registration order (the tensors themselves, not copies).</summary>
    public StateDict StateDict()
    {
        var dict = new StateDict { Version = StateDictVersion };
        foreach (var (name, p) in NamedParameters()) dict[name] = p.Value;
        foreach (var (name, b) in NamedBuffers()) dict[name] = b;
        return dict;
    }

    /// <summary>
    /// Copies matching entries into this module's parameters and buffers. Reports missing keys, unexpected keys and
    /// shape mismatches; with <paramref name="strict"/> any of them is an error listing all of them.
    /// </summary>
    public LoadStateDictResult LoadStateDict(StateDict state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        state = MigrateStateDict(state);
        var own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = own.Keys.Where(k => state.ContainsKey(k) && !state[k].SameShape(own[k]))
            .Select(k => $"{k}: expected {own[k].ShapeText}, got {state[k].ShapeText}").ToList();
        var result = new LoadStateDictResult(missing, unexpected, mismatched);
        if (strict && !result.IsClean)
            throw new InvalidDataException("State dict does not match the model. " + result);
        foreach (var (key, tensor) in own)
            if (state.TryGetValue(key, out Tensor? source) && source.SameShape(tensor)) source.Span.CopyTo(tensor.Span);
        return result;
    }

    /// <summary>Upgrades a state dict written by an older version of the library; the base implementation knows version 1 only.</summary>
    protected virtual StateDict MigrateStateDict(StateDict state)
    {
        if (state.Version > StateDictVersion || state.Version < 1)
            throw new InvalidDataException($"State dict version {state.Version} is not supported (this library reads 1..{StateDictVersion}).");
        return state;
    }

    /// <summary>Adds a trainable tensor.</summary>
    protected Parameter RegisterParameter(string name, Tensor value, bool applyWeightDecay = true)
    {
        CheckName(name);
        var p = new Parameter(value) { ApplyWeightDecay = applyWeightDecay };
        _parameters.Add((name, p));
        return p;
    }

    /// <summary>Adds a non-trainable tensor that is part of the state (running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        _buffers.Add((name, value));
        return value;
    }

    /// <summary>Adds a sub-module.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(module);
        _children.Add((name, module));
        return module;
    }

    /// <summary>Throws an error naming this module when <paramref name="condition"/> is false.</summary>
    protected void Require(bool condition, string problem)
    {
        if (!condition) throw new ArgumentException($"{GetType().Name}: {problem}");
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"Invalid name '{name}': names are non-empty and contain no dots.", nameof(name));
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.", nameof(name));
    }

    private void SetRequiresGrad(bool on)
    {
        foreach (Parameter p in Parameters()) p.RequiresGrad = on;
    }

    /// <summary>"[2, 3]" for error messages.</summary>
    protected static string ShapeText(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
