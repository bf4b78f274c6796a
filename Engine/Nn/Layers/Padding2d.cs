namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Zero padding per side of a 2-D input.</summary>
public readonly record struct Padding2d(int Top, int Left, int Bottom, int Right)
{
    /// <summary>The same padding on every side.</summary>
    public static Padding2d All(int p) => new(p, p, p, p);

    /// <summary>Padding that keeps the size at stride 1 when the total is odd or even ("same"): the extra pixel goes bottom/right, as TensorFlow and ONNX SAME_UPPER do.</summary>
    public static Padding2d Same(int kernelH, int kernelW, int dilation = 1)
    {
        int th = dilation * (kernelH - 1), tw = dilation * (kernelW - 1);
        return new Padding2d(th / 2, tw / 2, th - th / 2, tw - tw / 2);
    }
}
