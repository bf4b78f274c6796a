namespace MlPipelines.Engine.Kernels;

/// <summary>
/// Shape of a 2-D pooling window over NCHW input, with PyTorch's output-size rule:
/// out = floor-or-ceil((In + 2 pad - dilation (K - 1) - 1) / stride) + 1, and in ceil mode the last window must start
/// inside the input or its left padding.
/// </summary>
internal readonly record struct Pool2dGeometry
{
    public Pool2dGeometry(int batch, int channels, int inHeight, int inWidth, int kernelHeight, int kernelWidth,
        int strideH, int strideW, int padH = 0, int padW = 0, bool ceilMode = false, int dilationH = 1, int dilationW = 1)
    {
        if (batch < 0 || channels < 1 || inHeight < 1 || inWidth < 1 || kernelHeight < 1 || kernelWidth < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1)
            throw new ArgumentOutOfRangeException(nameof(batch), "Invalid pooling sizes.");
        if (padH < 0 || padW < 0 || padH > kernelHeight / 2 || padW > kernelWidth / 2)
            throw new ArgumentOutOfRangeException(nameof(padH), $"Padding ({padH}, {padW}) must be at most half the kernel ({kernelHeight}x{kernelWidth}).");
        (Batch, Channels, InHeight, InWidth, KernelHeight, KernelWidth) = (batch, channels, inHeight, inWidth, kernelHeight, kernelWidth);
        (StrideH, StrideW, PadH, PadW, CeilMode, DilationH, DilationW) = (strideH, strideW, padH, padW, ceilMode, dilationH, dilationW);
        OutHeight = OutSize(inHeight, kernelHeight, strideH, padH, dilationH, ceilMode);
        OutWidth = OutSize(inWidth, kernelWidth, strideW, padW, dilationW, ceilMode);
        if (OutHeight < 1 || OutWidth < 1) throw new ArgumentException($"The {kernelHeight}x{kernelWidth} window does not fit the {inHeight}x{inWidth} input.");
    }

    public int Batch { get; }
    public int Channels { get; }
    public int InHeight { get; }
    public int InWidth { get; }
    public int KernelHeight { get; }
    public int KernelWidth { get; }
    public int StrideH { get; }
    public int StrideW { get; }
    public int PadH { get; }
    public int PadW { get; }
    public bool CeilMode { get; }
    public int DilationH { get; }
    public int DilationW { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }

    public int InputLength => Batch * Channels * InHeight * InWidth;
    public int OutputLength => Batch * Channels * OutHeight * OutWidth;

    public Pool2dGeometry WithBatch(int batch) => new(batch, Channels, InHeight, InWidth, KernelHeight, KernelWidth, StrideH, StrideW, PadH, PadW, CeilMode, DilationH, DilationW);

    private static int OutSize(int size, int k, int s, int p, int d, bool ceil)
    {
        int span = size + 2 * p - d * (k - 1) - 1;
        if (span < 0) return 0;
        int o = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (o - 1) * s >= size + p) o--;
        return o;
    }
}
