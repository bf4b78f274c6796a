namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Runs its modules in order; children are named "0", "1", ... as in PyTorch, or by the names given.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _modules = [];

    /// <summary>Creates the sequence.</summary>
    public Sequential(params Module[] modules)
    {
        foreach (Module m in modules) Add(m);
    }

    /// <summary>The modules in order.</summary>
    public IReadOnlyList<Module> Modules => _modules;

    /// <summary>Module at <paramref name="index"/>.</summary>
    public Module this[int index] => _modules[index];

    /// <summary>Appends a module (named by its position).</summary>
    public Sequential Add(Module module) => Add(_modules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);

    /// <summary>Appends a named module (its state-dict keys start with the name).</summary>
    public Sequential Add(string name, Module module)
    {
        RegisterModule(name, module);
        _modules.Add(module);
        return this;
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context) => ForwardRange(input, context, 0, _modules.Count);

    /// <summary>Modules [<paramref name="start"/>, <paramref name="end"/>) only, fused as <see cref="Forward"/> fuses them.</summary>
    internal Tensor ForwardRange(Tensor input, StepContext context, int start, int end)
    {
        Tensor x = input;
        for (int i = start; i < end; i++)
        {
            // A convolution with the batch norm and/or activation after it runs as one layer (fused in pure inference).
            if (_modules[i] is Conv2d conv)
            {
                int next = i + 1;
                var norm = next < end ? _modules[next] as BatchNorm2d : null;
                if (norm is not null) next++;
                var activation = next < end ? _modules[next] as ActivationLayer : null;
                if (activation is not null) next++;
                if (next > i + 1)
                {
                    x = conv.ForwardNormalized(x, context, norm, activation);
                    i = next - 1;
                    continue;
                }
            }
            x = _modules[i].Forward(x, context);
        }
        return x;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        Tensor g = outputGradient;
        for (int i = _modules.Count - 1; i >= 0; i--) g = _modules[i].Backward(g, context);
        return g;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        int[] s = inputShape;
        foreach (Module m in _modules) s = m.OutputShape(s);
        return s;
    }

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape)
    {
        long total = 0;
        int[] s = inputShape;
        foreach (Module m in _modules)
        {
            total += m.MultiplyAdds(s);
            s = m.OutputShape(s);
        }
        return total;
    }
}
