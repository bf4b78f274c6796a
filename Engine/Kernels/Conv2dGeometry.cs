namespace MlPipelines.Engine.Kernels;

/// <summary>
/// Shape of a 2-D convolution over NCHW input: kernel, stride, padding (per side), dilation and groups.
/// Output size per axis: (In + padBefore + padAfter - dilation * (K - 1) - 1) / stride + 1.
/// </summary>
internal readonly record struct Conv2dGeometry
{
    public Conv2dGeometry(int batch, int inChannels, int inHeight, int inWidth, int outChannels, int kernelHeight, int kernelWidth,
        int strideH = 1, int strideW = 1, int padTop = 0, int padLeft = 0, int padBottom = 0, int padRight = 0,
        int dilationH = 1, int dilationW = 1, int groups = 1)
    {
        if (batch < 0 || inChannels < 1 || inHeight < 1 || inWidth < 1 || outChannels < 1 || kernelHeight < 1 || kernelWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(batch), $"Invalid convolution sizes: batch {batch}, in {inChannels}x{inHeight}x{inWidth}, out {outChannels}, kernel {kernelHeight}x{kernelWidth}.");
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1)
            throw new ArgumentOutOfRangeException(nameof(strideH), "Stride and dilation must be at least 1.");
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0)
            throw new ArgumentOutOfRangeException(nameof(padTop), "Padding must not be negative.");
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), $"Groups ({groups}) must divide both in ({inChannels}) and out ({outChannels}) channels.");
        (Batch, InChannels, InHeight, InWidth, OutChannels, KernelHeight, KernelWidth) = (batch, inChannels, inHeight, inWidth, outChannels, kernelHeight, kernelWidth);
        (StrideH, StrideW, PadTop, PadLeft, PadBottom, PadRight, DilationH, DilationW, Groups) = (strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, groups);
        OutHeight = (inHeight + padTop + padBottom - dilationH * (kernelHeight - 1) - 1) / strideH + 1;
        OutWidth = (inWidth + padLeft + padRight - dilationW * (kernelWidth - 1) - 1) / strideW + 1;
        if (inHeight + padTop + padBottom < dilationH * (kernelHeight - 1) + 1 || inWidth + padLeft + padRight < dilationW * (kernelWidth - 1) + 1)
            throw new ArgumentException($"The {kernelHeight}x{kernelWidth} kernel (dilation {dilationH}x{dilationW}) is larger than the padded {inHeight}x{inWidth} input.");
    }

    public int Batch { get; }
    public int InChannels { get; }
    public int InHeight { get; }
    public int InWidth { get; }
    public int OutChannels { get; }
    public int KernelHeight { get; }
    public int KernelWidth { get; }
    public int StrideH { get; }
    public int StrideW { get; }
    public int PadTop { get; }
    public int PadLeft { get; }
    public int PadBottom { get; }
    public int PadRight { get; }
    public int DilationH { get; }
    public int DilationW { get; }
    public int Groups { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }

    /// <summary>Input channels per group.</summary>
    public int GroupInChannels => InChannels / Groups;

    /// <summary>Output channels per group.</summary>
    public int GroupOutChannels => OutChannels / Groups;

    /// <summary>Rows of the im2col matrix of one group: Cin/groups x KH x KW.</summary>
    public int PatchSize => GroupInChannels * KernelHeight * KernelWidth;

    public int InputLength => Batch * InChannels * InHeight * InWidth;
    public int OutputLength => Batch * OutChannels * OutHeight * OutWidth;
    public int WeightLength => OutChannels * PatchSize;

    /// <summary>True for 1x1 kernels with stride 1 and no padding: the input already is the im2col matrix.</summary>
    public bool IsPointwise => KernelHeight == 1 && KernelWidth == 1 && StrideH == 1 && StrideW == 1
        && PadTop == 0 && PadLeft == 0 && PadBottom == 0 && PadRight == 0;

    /// <summary>Same geometry for another batch size.</summary>
    public Conv2dGeometry WithBatch(int batch) => new(batch, InChannels, InHeight, InWidth, OutChannels, KernelHeight, KernelWidth,
        StrideH, StrideW, PadTop, PadLeft, PadBottom, PadRight, DilationH, DilationW, Groups);
}
