using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// GoogLeNet's auxiliary classifier (Szegedy et al. 2015, section 5) as a tap in the trunk: its output is its input, and in
/// training it also computes logits from that input with torchvision's InceptionAux layout and names: adaptive average pool
/// to 4x4 "pool" (the paper's 5x5 stride-3 pool, which gives 4x4 on the 14x14 maps of 224x224 inputs), a 1x1 convolution to
/// 128 channels with batch norm (eps 1e-3) and ReLU "conv", "fc1" to 1024, ReLU, dropout 0.7, "fc2" to the classes. The
/// training objective adds <see cref="LossWeight"/> (0.3) times the loss of those logits (see
/// <see cref="IAuxiliaryClassifier.AddAuxiliaryLosses(Module, StepContext, double, Func{Tensor, ValueTuple{double, Tensor}})"/>). In evaluation mode it is the identity, and it adds no multiply-adds
/// to the model's inference count.
/// </summary>
public sealed class AuxiliaryClassifier : Module, IAuxiliaryClassifier
{
    private readonly List<Module> _head = [];

    private sealed class Cache
    {
        public Tensor? Logits;
        public Tensor? Gradient;
    }

    /// <summary>Creates the head for <paramref name="inChannels"/>-channel maps; the defaults are GoogLeNet's.</summary>
    public AuxiliaryClassifier(int inChannels, int classes, SeededRandom? init = null, int convChannels = 128, int pooledSize = 4,
        int hidden = 1024, float dropout = 0.7f, float lossWeight = 0.3f)
    {
        Require(inChannels > 0 && classes > 0 && convChannels > 0 && pooledSize > 0 && hidden > 0, "sizes must be positive");
        Require(lossWeight >= 0 && float.IsFinite(lossWeight), $"the loss weight must be finite and non-negative, got {lossWeight}");
        init ??= new SeededRandom(0);
        LossWeight = lossWeight;
        var conv = new Sequential().Add("conv", new Conv2d(inChannels, convChannels, 1, bias: false, init: init))
            .Add("bn", new BatchNorm2d(convChannels, 1e-3f)).Add("relu", new Relu());
        Add("pool", new AdaptiveAvgPool2d(pooledSize));
        Add("conv", conv);
        Add("flatten", new Flatten());
        Add("fc1", new Linear(convChannels * pooledSize * pooledSize, hidden, init: init));
        Add("relu", new Relu());
        Add("dropout", new Dropout(dropout));
        Add("fc2", new Linear(hidden, classes, init: init));
    }

    /// <inheritdoc />
    public float LossWeight { get; }

    /// <inheritdoc />
    public Tensor? Logits(StepContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.State<Cache>(this).Logits;
    }

    /// <inheritdoc />
    public void SetLogitsGradient(Tensor gradient, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentNullException.ThrowIfNull(context);
        var cache = context.State<Cache>(this);
        if (cache.Logits is null) throw new InvalidOperationException("AuxiliaryClassifier: no training forward pass to take a gradient for.");
        Require(gradient.SameShape(cache.Logits), $"the gradient {gradient.ShapeText} differs from the logits {cache.Logits.ShapeText}");
        cache.Gradient = gradient;
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        var cache = context.State<Cache>(this);
        (cache.Logits, cache.Gradient) = (null, null);
        if (!IsTraining) return input;
        Tensor h = input;
        foreach (Module m in _head) h = m.Forward(h, context);
        cache.Logits = h;
        return input;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        var cache = context.State<Cache>(this);
        if (cache.Gradient is not { } g) return outputGradient;
        cache.Gradient = null;
        for (int i = _head.Count - 1; i >= 0; i--) g = _head[i].Backward(g, context);
        Tensor dX = context.Rent(outputGradient.Shape.ToArray());
        System.Numerics.Tensors.TensorPrimitives.Add(outputGradient.Span, g.Span, dX.Span);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        int[] s = inputShape;
        foreach (Module m in _head) s = m.OutputShape(s);
        return inputShape;
    }

    private void Add(string name, Module module) => _head.Add(RegisterModule(name, module));
}
