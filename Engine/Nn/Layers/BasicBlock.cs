using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// The residual block of ResNet-18/34 and the CIFAR ResNets: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)),
/// 3x3 convolutions; the shortcut is identity, or a 1x1 convolution + batch norm ("projection", option B) when the
/// stride or width changes.
/// </summary>
public sealed class BasicBlock : Module
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly Relu _relu1;
    private readonly Conv2d _conv2;
    private readonly BatchNorm2d _bn2;
    private readonly Sequential? _shortcut;

    private sealed class Cache
    {
        public Tensor? Output;
    }

    /// <summary>
    /// Creates the block; weights drawn from <paramref name="init"/> with Kaiming-normal (fan-out) convolutions. The projection
    /// shortcut's state-dict name is <paramref name="shortcutName"/> ("downsample" in torchvision's ResNets).
    /// </summary>
    public BasicBlock(int inChannels, int outChannels, int stride = 1, SeededRandom? init = null, string shortcutName = "shortcut")
    {
        init ??= new SeededRandom(0);
        _conv1 = RegisterModule("conv1", new Conv2d(inChannels, outChannels, 3, stride, 1, bias: false, init: init));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(outChannels));
        _relu1 = new Relu();
        _conv2 = RegisterModule("conv2", new Conv2d(outChannels, outChannels, 3, 1, 1, bias: false, init: init));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(outChannels));
        if (stride != 1 || inChannels != outChannels)
            _shortcut = RegisterModule(shortcutName, new Sequential(new Conv2d(inChannels, outChannels, 1, stride, 0, bias: false, init: init), new BatchNorm2d(outChannels)));
        foreach (var (_, m) in NamedModules())
            if (m is Conv2d conv) Init.Initializers.KaimingNormal(conv.Weight.Value, init, fanOut: true);
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        Tensor h = _conv1.ForwardNormalized(input, context, _bn1, _relu1);
        Tensor shortcut = _shortcut is null ? input : _shortcut.Forward(input, context);
        // Backward reads y (y > 0 exactly where the sum was), so the sum is not kept.
        Tensor y = _conv2.ForwardBlockEnd(h, context, _bn2, shortcut);
        context.State<Cache>(this).Output = y;
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        Tensor y = context.State<Cache>(this).Output ?? throw new InvalidOperationException("BasicBlock.Backward without a recorded forward pass.");
        Tensor dSum = context.Rent(y.Shape);
        Elementwise.Map(new ReluGradOp(), y.Span, outputGradient.Span, dSum.Span, accumulate: false, context.Threads);
        Tensor dMain = _conv1.Backward(_bn1.Backward(_relu1.Backward(_conv2.Backward(_bn2.Backward(dSum, context), context), context), context), context);
        Tensor dShort = _shortcut is null ? dSum : _shortcut.Backward(dSum, context);
        // dMain is this step's tensor from conv1 and nothing else holds it: add the shortcut's gradient in place.
        Elementwise.Map(new AddOp(), dMain.Span, dShort.Span, dMain.Span, accumulate: false, context.Threads);
        return dMain;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape) => _bn2.OutputShape(_conv2.OutputShape(_conv1.OutputShape(inputShape)));

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape)
    {
        int[] mid = _conv1.OutputShape(inputShape);
        return _conv1.MultiplyAdds(inputShape) + _conv2.MultiplyAdds(mid) + (_shortcut?.MultiplyAdds(inputShape) ?? 0);
    }
}
