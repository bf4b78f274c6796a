using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// The bottleneck residual block of ResNet-50/101/152 and ResNeXt in torchvision's "v1.5" layout (the stride sits on the 3x3):
/// relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + downsample(x)). conv1 is 1x1 to the bottleneck width, conv2 is
/// 3x3 with the stride and <see cref="Groups"/> groups, conv3 is 1x1 to <c>planes * Expansion</c> channels. The
/// shortcut is identity, or 1x1 convolution (with the stride) + batch norm named "downsample" when the shape changes.
/// </summary>
public sealed class Bottleneck : Module
{
    /// <summary>Output channels per "planes" (4 in ResNet).</summary>
    public const int Expansion = 4;

    private readonly Conv2d _conv1, _conv2, _conv3;
    private readonly BatchNorm2d _bn1, _bn2, _bn3;
    private readonly Relu _relu1 = new(), _relu2 = new();
    private readonly Sequential? _downsample;

    private sealed class Cache
    {
        public Tensor? Output;
    }

    /// <summary>
    /// Creates the block: <paramref name="planes"/> sets the output (planes x 4); the bottleneck width is
    /// planes x <paramref name="baseWidth"/> / 64 x <paramref name="groups"/> (torchvision's formula: ResNet-50 uses 1 group of
    /// width 64, ResNeXt-50 32x4d uses 32 groups of width 4, Wide ResNet-50-2 width 128).
    /// </summary>
    public Bottleneck(int inChannels, int planes, int stride = 1, int groups = 1, int baseWidth = 64, SeededRandom? init = null)
    {
        Require(inChannels > 0 && planes > 0 && stride > 0 && groups > 0 && baseWidth > 0, "channels, stride, groups and width must be positive");
        init ??= new SeededRandom(0);
        int width = (int)(planes * (baseWidth / 64.0)) * groups;
        int outChannels = planes * Expansion;
        (InChannels, OutChannels, Width, Groups, Stride) = (inChannels, outChannels, width, groups, stride);
        _conv1 = RegisterModule("conv1", new Conv2d(inChannels, width, 1, bias: false, init: init));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(width));
        _conv2 = RegisterModule("conv2", new Conv2d(width, width, 3, stride, 1, groups: groups, bias: false, init: init));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(width));
        _conv3 = RegisterModule("conv3", new Conv2d(width, outChannels, 1, bias: false, init: init));
        _bn3 = RegisterModule("bn3", new BatchNorm2d(outChannels));
        if (stride != 1 || inChannels != outChannels)
            _downsample = RegisterModule("downsample", new Sequential(new Conv2d(inChannels, outChannels, 1, stride, 0, bias: false, init: init), new BatchNorm2d(outChannels)));
        foreach (var (_, m) in NamedModules())
            if (m is Conv2d conv) Init.Initializers.KaimingNormal(conv.Weight.Value, init, fanOut: true);
    }

    public int InChannels { get; }
    public int OutChannels { get; }

    /// <summary>Channels of the 3x3 convolution.</summary>
    public int Width { get; }
    public int Groups { get; }
    public int Stride { get; }

    /// <summary>The last batch norm (zero its weight for torchvision's zero_init_residual).</summary>
    public BatchNorm2d LastNorm => _bn3;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        Tensor h = _conv1.ForwardNormalized(input, context, _bn1, _relu1);
        h = _conv2.ForwardNormalized(h, context, _bn2, _relu2);
        Tensor shortcut = _downsample is null ? input : _downsample.Forward(input, context);
        // Backward reads y (y > 0 exactly where the sum was), so the sum is not kept.
        Tensor y = _conv3.ForwardBlockEnd(h, context, _bn3, shortcut);
        context.State<Cache>(this).Output = y;
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        Tensor y = context.State<Cache>(this).Output ?? throw new InvalidOperationException("Bottleneck.Backward without a recorded forward pass.");
        Tensor dSum = context.Rent(y.Shape);
        Elementwise.Map(new ReluGradOp(), y.Span, outputGradient.Span, dSum.Span, accumulate: false, context.Threads);
        Tensor g = _conv3.Backward(_bn3.Backward(dSum, context), context);
        g = _conv2.Backward(_bn2.Backward(_relu2.Backward(g, context), context), context);
        Tensor dMain = _conv1.Backward(_bn1.Backward(_relu1.Backward(g, context), context), context);
        Tensor dShort = _downsample is null ? dSum : _downsample.Backward(dSum, context);
        // dMain is this step's tensor from conv1 and nothing else holds it: add the shortcut's gradient in place.
        Elementwise.Map(new AddOp(), dMain.Span, dShort.Span, dMain.Span, accumulate: false, context.Threads);
        return dMain;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape) => _conv3.OutputShape(_conv2.OutputShape(_conv1.OutputShape(inputShape)));

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape)
    {
        int[] a = _conv1.OutputShape(inputShape);
        int[] b = _conv2.OutputShape(a);
        return _conv1.MultiplyAdds(inputShape) + _conv2.MultiplyAdds(a) + _conv3.MultiplyAdds(b) + (_downsample?.MultiplyAdds(inputShape) ?? 0);
    }
}
