namespace MlPipelines.Evaluation.Reports;

/// <summary>
/// The weights of a convolution layer (usually the first), [OutputChannels, InputChannels, KernelHeight, KernelWidth]
/// row-major, shown in the report as one small picture per output channel: RGB when there are 3 input channels,
/// otherwise the mean over the input channels in gray; each picture scaled from its own minimum to its maximum.
/// </summary>
public sealed class FilterBank
{
    /// <summary>Wraps <paramref name="weights"/> (not copied).</summary>
    public FilterBank(float[] weights, int outputChannels, int inputChannels, int kernelHeight, int kernelWidth)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelWidth);
        long size = (long)outputChannels * inputChannels * kernelHeight * kernelWidth;
        if (weights.Length != size)
            throw new ArgumentException($"[{outputChannels}, {inputChannels}, {kernelHeight}, {kernelWidth}] needs {size} weights, got {weights.Length}.", nameof(weights));
        Weights = weights;
        OutputChannels = outputChannels;
        InputChannels = inputChannels;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <summary>The weights, [OutputChannels, InputChannels, KernelHeight, KernelWidth].</summary>
    public float[] Weights { get; }

    /// <summary>Number of filters.</summary>
    public int OutputChannels { get; }

    /// <summary>Input channels per filter.</summary>
    public int InputChannels { get; }

    /// <summary>Kernel height.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel width.</summary>
    public int KernelWidth { get; }

    /// <summary>Filter <paramref name="index"/> as a picture (see the class remarks).</summary>
    public ReportImage ToImage(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, OutputChannels);
        int plane = KernelHeight * KernelWidth;
        var filter = Weights.AsSpan(index * InputChannels * plane, InputChannels * plane);
        int channels = InputChannels == 3 ? 3 : 1;
        var values = new float[plane * channels];
        for (int p = 0; p < plane; p++)
        {
            if (channels == 3)
            {
                for (int c = 0; c < 3; c++) values[p * 3 + c] = filter[c * plane + p];
            }
            else
            {
                float sum = 0;
                for (int c = 0; c < InputChannels; c++) sum += filter[c * plane + p];
                values[p] = sum / InputChannels;
            }
        }
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (!float.IsFinite(v)) continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        var pixels = new byte[values.Length];
        float range = max - min;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            pixels[i] = !float.IsFinite(v) || !(range > 0) ? (byte)128 : (byte)Math.Round((v - min) / range * 255f);
        }
        return new ReportImage(KernelWidth, KernelHeight, channels, pixels);
    }
}
