using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Init;
using ActivationKind = MlPipelines.Engine.Kernels.ActivationKind;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// EfficientNet-B0..B4 (Tan and Le 2019) as torchvision builds them: the B0 stages of MBConv blocks (Table 1) scaled by the
/// compound coefficients (width multiplier on channels rounded to multiples of 8, depth multiplier on repeats rounded up),
/// stochastic depth rising linearly to 0.2 over the blocks, a 1x1 head to 4x the last stage's channels, global average
/// pool, dropout and a linear classifier. B0 has 5,288,548 parameters at 1000 classes.
/// </summary>
internal static class EfficientNet
{
    // Expansion, kernel, stride, input channels, output channels, repeats (B0).
    private static readonly (int Expand, int Kernel, int Stride, int In, int Out, int Layers)[] Stages =
    [
        (1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
        (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1),
    ];

    /// <summary>(width multiplier, depth multiplier, classifier dropout) of B0..B4 (torchvision's table).</summary>
    public static readonly (double Width, double Depth, float Dropout)[] Coefficients =
        [(1.0, 1.0, 0.2f), (1.0, 1.1, 0.2f), (1.1, 1.2, 0.3f), (1.2, 1.4, 0.3f), (1.4, 1.8, 0.4f)];

    public static Sequential Create(int variant, int inChannels, int classes, SeededRandom init)
    {
        var (width, depth, dropout) = Coefficients[variant];
        int Channels(int c) => MobileNetV2.MakeDivisible(c * width);
        int Repeats(int n) => (int)Math.Ceiling(n * depth);
        int total = Stages.Sum(s => Repeats(s.Layers)), blockId = 0;
        int c = Channels(Stages[0].In);
        var features = new Sequential(ConvNormActivation.Create(inChannels, c, 3, 2, activation: ActivationKind.Silu, init: init));
        foreach (var stage in Stages)
        {
            var blocks = new Sequential();
            int o = Channels(stage.Out);
            for (int i = 0; i < Repeats(stage.Layers); i++)
            {
                float sd = 0.2f * blockId++ / total;
                blocks.Add(new MBConv(c, o, MobileNetV2.MakeDivisible(c * stage.Expand), stage.Kernel, i == 0 ? stage.Stride : 1, sd, init));
                c = o;
            }
            features.Add(blocks);
        }
        int head = 4 * c;
        features.Add(ConvNormActivation.Create(c, head, 1, activation: ActivationKind.Silu, init: init));
        var model = new Sequential().Add("features", features).Add("avgpool", new GlobalAvgPool2d())
            .Add("classifier", new Sequential(new Dropout(dropout), new Linear(head, classes, init: init)));
        ZooInit.KaimingConvs(model, init);
        foreach (var (_, m) in model.NamedModules())
            if (m is Linear linear)
            {
                double bound = 1 / Math.Sqrt(linear.OutFeatures);
                Initializers.Uniform(linear.Weight.Value, init, -bound, bound);
                linear.Bias?.Value.Clear();
            }
        return model;
    }
}
