using MlPipelines.Engine.Compute;

namespace MlPipelines.Engine.Nn;

/// <summary>
/// Everything one forward/backward step needs besides the modules: the compute settings, the random stream
/// (dropout), whether activations must be kept for backward, each module's cached activations, and the
/// tensors the step produces. Tensors are handed out in call order and recycled by <see cref="BeginStep"/>,
/// so a training loop with fixed shapes allocates nothing after its first step. A tensor from a step stays
/// valid until the next <see cref="BeginStep"/>: copy out what must outlive it.
/// </summary>
public sealed class StepContext
{
    private readonly List<Tensor> _issued = [];
    private readonly Dictionary<Module, object> _states = new(ReferenceEqualityComparer.Instance);
    private int _next;

    /// <summary>Creates a context for the given compute settings.</summary>
    public StepContext(ComputeConfig? config = null)
    {
        Config = (config ?? new ComputeConfig()).Validate();
        Random = new SeededRandom(Config.Seed);
    }

    /// <summary>Threads and seed.</summary>
    public ComputeConfig Config { get; }

    /// <summary>Degree of parallelism for kernels.</summary>
    public int Threads => Config.DegreeOfParallelism;

    /// <summary>The random stream of stochastic layers (dropout); part of a checkpoint.</summary>
    public SeededRandom Random { get; }

    /// <summary>Whether modules keep what backward needs (false for inference).</summary>
    public bool RecordForBackward { get; set; } = true;

    /// <summary>
    /// A tensor whose gradient nobody reads (the batch a training loop feeds in). A convolution that reads it directly
    /// skips its input gradient and returns zeros, as frameworks skip the input gradient of a tensor that does not
    /// require one; the parameter gradients are unchanged. Null (the default): every input gradient is computed.
    /// </summary>
    public Tensor? NoGradientInput { get; set; }

    /// <summary>Starts a step: every tensor handed out since the last call may be reused.</summary>
    public void BeginStep() => _next = 0;

    /// <summary>A tensor of the given shape whose contents are unspecified (the caller overwrites all of it).</summary>
    public Tensor Rent(params ReadOnlySpan<int> shape)
    {
        if (_next < _issued.Count)
        {
            Tensor t = _issued[_next];
            if (t.Shape.SequenceEqual(shape))
            {
                _next++;
                return t;
            }
            // Shapes changed (e.g. a smaller last batch): reuse the buffer when it is big enough.
            var (buffer, _) = t.Storage;
            int length = Tensor.CheckedLength(shape);
            int[] owned = shape.ToArray();
            var fresh = buffer.Length >= length ? Tensor.View(buffer, 0, owned) : new Tensor(owned);
            _issued[_next++] = fresh;
            return fresh;
        }
        var created = new Tensor(shape.ToArray());
        _issued.Add(created);
        _next++;
        return created;
    }

    /// <summary>A zero-filled tensor (for gradients that kernels accumulate into).</summary>
    public Tensor RentZeroed(params ReadOnlySpan<int> shape)
    {
        Tensor t = Rent(shape);
        t.Clear();
        return t;
    }

    /// <summary>The module's reusable per-step state object (cached activations, indices), created on first use.</summary>
    public T State<T>(Module module) where T : class, new()
    {
        if (_states.TryGetValue(module, out object? s)) return (T)s;
        var created = new T();
        _states[module] = created;
        return created;
    }
}
