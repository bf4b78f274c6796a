using System.Numerics.Tensors;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// y = main(x) + shortcut(x), the shortcut being the identity when absent (a projection otherwise); both children are
/// registered under the given names. For blocks that add no activation after the sum (Xception's, a transformer's).
/// </summary>
public sealed class Residual : Module
{
    private readonly Module _main;
    private readonly Module? _shortcut;

    /// <summary>Creates the block.</summary>
    public Residual(string mainName, Module main, string? shortcutName = null, Module? shortcut = null)
    {
        _main = RegisterModule(mainName, main);
        Require(shortcut is null || shortcutName is not null, "a shortcut module needs a name");
        if (shortcut is not null) _shortcut = RegisterModule(shortcutName!, shortcut);
    }

    /// <summary>The residual branch.</summary>
    public Module Main => _main;

    /// <summary>The projection, or null for the identity.</summary>
    public Module? Shortcut => _shortcut;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        Tensor h = _main.Forward(input, context);
        Tensor s = _shortcut is null ? input : _shortcut.Forward(input, context);
        Require(h.SameShape(s), $"main output {h.ShapeText} and shortcut output {s.ShapeText} differ");
        Tensor y = context.Rent(h.Shape);
        TensorPrimitives.Add(h.Span, s.Span, y.Span);
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        Tensor dMain = _main.Backward(outputGradient, context);
        Tensor dShort = _shortcut is null ? outputGradient : _shortcut.Backward(outputGradient, context);
        Tensor dX = context.Rent(dMain.Shape);
        TensorPrimitives.Add(dMain.Span, dShort.Span, dX.Span);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        int[] main = _main.OutputShape(inputShape);
        int[] shortcut = _shortcut?.OutputShape(inputShape) ?? inputShape;
        Require(main.AsSpan().SequenceEqual(shortcut), $"main output {ShapeText(main)} and shortcut output {ShapeText(shortcut)} differ (input {ShapeText(inputShape)})");
        return main;
    }

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape) => _main.MultiplyAdds(inputShape) + (_shortcut?.MultiplyAdds(inputShape) ?? 0);
}
