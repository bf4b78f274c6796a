namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// Runs named branches on the same [N, C, H, W] input and concatenates their outputs along the channels (the inception
/// module's join). Every branch must produce the same N, H and W.
/// </summary>
public sealed class ChannelConcat : Module
{
    private readonly List<Module> _branches = [];

    private sealed class Cache
    {
        public int[] InputShape = [];
        public int[] OutChannels = [];
    }

    /// <summary>Creates the module with branches named in the state dict by the given names.</summary>
    public ChannelConcat(params (string Name, Module Branch)[] branches)
    {
        Require(branches.Length > 0, "needs at least one branch");
        foreach (var (name, branch) in branches) _branches.Add(RegisterModule(name, branch));
    }

    /// <summary>The branches in order.</summary>
    public IReadOnlyList<Module> Branches => _branches;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        int[] outShape = OutputShape(input.Shape.ToArray());
        var outputs = new Tensor[_branches.Count];
        for (int b = 0; b < _branches.Count; b++) outputs[b] = _branches[b].Forward(input, context);
        Tensor y = context.Rent(outShape);
        int n = outShape[0], plane = outShape[2] * outShape[3], total = outShape[1] * plane, offset = 0;
        Span<float> ys = y.Span;
        foreach (Tensor o in outputs)
        {
            int block = o.Dim(1) * plane;
            ReadOnlySpan<float> os = o.Span;
            for (int i = 0; i < n; i++) os.Slice(i * block, block).CopyTo(ys.Slice(i * total + offset, block));
            offset += block;
        }
        var cache = context.State<Cache>(this);
        cache.InputShape = input.Shape.ToArray();
        cache.OutChannels = outputs.Select(o => o.Dim(1)).ToArray();
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        var cache = context.State<Cache>(this);
        if (cache.InputShape.Length == 0) throw new InvalidOperationException("ChannelConcat.Backward without a recorded forward pass.");
        int[] outShape = outputGradient.Shape.ToArray();
        int n = outShape[0], plane = outShape[2] * outShape[3], total = outShape[1] * plane, offset = 0;
        ReadOnlySpan<float> dy = outputGradient.Span;
        Tensor dX = context.RentZeroed(cache.InputShape);
        for (int b = 0; b < _branches.Count; b++)
        {
            int c = cache.OutChannels[b], block = c * plane;
            Tensor dBranch = context.Rent(n, c, outShape[2], outShape[3]);
            Span<float> ds = dBranch.Span;
            for (int i = 0; i < n; i++) dy.Slice(i * total + offset, block).CopyTo(ds.Slice(i * block, block));
            offset += block;
            Tensor dIn = _branches[b].Backward(dBranch, context);
            System.Numerics.Tensors.TensorPrimitives.Add(dX.Span, dIn.Span, dX.Span);
        }
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        int[]? result = null;
        foreach (Module b in _branches)
        {
            int[] s = b.OutputShape(inputShape);
            Require(s.Length == 4, $"branches must produce [N, C, H, W], got {ShapeText(s)}");
            if (result is null) result = s;
            else
            {
                Require(s[0] == result[0] && s[2] == result[2] && s[3] == result[3],
                    $"branch outputs {ShapeText(result)} and {ShapeText(s)} differ outside the channels (input {ShapeText(inputShape)})");
                result[1] += s[1];
            }
        }
        return result!;
    }

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape) => _branches.Sum(b => b.MultiplyAdds(inputShape));
}
