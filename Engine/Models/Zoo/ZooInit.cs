using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Init;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>The weight initialisations torchvision's model constructors apply after building.</summary>
internal static class ZooInit
{
    /// <summary>Kaiming-normal (fan-out, ReLU gain) convolution weights and zero convolution biases.</summary>
    public static void KaimingConvs(Module model, SeededRandom init)
    {
        foreach (var (_, m) in model.NamedModules())
            if (m is Conv2d conv)
            {
                Initializers.KaimingNormal(conv.Weight.Value, init, fanOut: true);
                conv.Bias?.Value.Clear();
            }
    }

    /// <summary>Normal(0, <paramref name="std"/>) weights and zero biases for every Linear layer.</summary>
    public static void NormalLinears(Module model, SeededRandom init, double std)
    {
        foreach (var (_, m) in model.NamedModules())
            if (m is Linear linear)
            {
                Initializers.Normal(linear.Weight.Value, init, 0, std);
                linear.Bias?.Value.Clear();
            }
    }
}
