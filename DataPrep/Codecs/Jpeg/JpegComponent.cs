using System.Buffers;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// One image component of a frame: its sampling factors, geometry, latched quantisation table and the buffers
/// its scans decode into (rented per decode and returned by <see cref="ReturnBuffers"/>).
/// </summary>
internal sealed class JpegComponent
{
    public JpegComponent(int index, int id, int horizontal, int vertical, int quantTable)
    {
        Index = index;
        Id = id;
        H = horizontal;
        V = vertical;
        QuantTableIndex = quantTable;
    }

    /// <summary>Position in the frame header (0-based).</summary>
    public int Index { get; }

    /// <summary>Component identifier Ci of the frame header.</summary>
    public int Id { get; }

    /// <summary>Horizontal sampling factor Hi (1..4).</summary>
    public int H { get; }

    /// <summary>Vertical sampling factor Vi (1..4).</summary>
    public int V { get; }

    /// <summary>Quantisation table selector Tqi (0..3).</summary>
    public int QuantTableIndex { get; }

    /// <summary>Samples per line of this component: ceil(X * Hi / Hmax).</summary>
    public int Width { get; private set; }

    /// <summary>Lines of this component: ceil(Y * Vi / Vmax).</summary>
    public int Height { get; private set; }

    /// <summary>Blocks per line a non-interleaved scan codes: ceil(Width / 8).</summary>
    public int BlocksPerLine { get; private set; }

    /// <summary>Block rows a non-interleaved scan codes: ceil(Height / 8).</summary>
    public int BlocksPerColumn { get; private set; }

    /// <summary>Blocks per line of the MCU grid (what interleaved scans code): MCUs per line x Hi.</summary>
    public int PlaneBlocksPerLine { get; private set; }

    /// <summary>Block rows of the MCU grid: MCU rows x Vi.</summary>
    public int PlaneBlocksPerColumn { get; private set; }

    /// <summary>Bytes per row of <see cref="Plane"/>.</summary>
    public int PlaneStride => PlaneBlocksPerLine * 8;

    /// <summary>Decoded samples, PlaneBlocksPerColumn x 8 rows of <see cref="PlaneStride"/> bytes.</summary>
    public byte[] Plane { get; private set; } = [];

    /// <summary>Progressive mode: every block's coefficients, [PlaneBlocksPerColumn, PlaneBlocksPerLine, 64] in natural order.</summary>
    public short[] Coefficients { get; private set; } = [];

    /// <summary>
    /// Progressive mode: per block, bit k set when the AC coefficient at zig-zag position k is non-zero (lets the
    /// refinement scans visit only those).
    /// </summary>
    public ulong[] NonZero { get; private set; } = [];

    /// <summary>Sequential mode: one MCU row of coefficients, [V, PlaneBlocksPerLine, 64] in natural order.</summary>
    public short[] RowCoefficients { get; private set; } = [];

    /// <summary>Dequantisation factors in natural order, latched when the component's first scan starts.</summary>
    public int[]? Quant { get; set; }

    /// <summary>DC predictor of the scan being decoded (F.2.1.3.1).</summary>
    public int DcPredictor { get; set; }

    /// <summary>Whether a scan has carried data of this component.</summary>
    public bool HasData { get; set; }

    /// <summary>Progressive mode: per coefficient, the successive-approximation bit position reached so far (-1: none yet).</summary>
    public int[] CoefficientBits { get; } = [.. Enumerable.Repeat(-1, 64)];

    /// <summary>Computes the geometry for a frame of <paramref name="width"/> x <paramref name="height"/> with the given maxima and MCU grid.</summary>
    public void SetGeometry(int width, int height, int maxH, int maxV, int mcusPerLine, int mcusPerColumn)
    {
        Width = (int)(((long)width * H + maxH - 1) / maxH);
        Height = (int)(((long)height * V + maxV - 1) / maxV);
        BlocksPerLine = (Width + 7) / 8;
        BlocksPerColumn = (Height + 7) / 8;
        PlaneBlocksPerLine = mcusPerLine * H;
        PlaneBlocksPerColumn = mcusPerColumn * V;
    }

    /// <summary>Rents the sample plane and the coefficient buffers the coding mode needs.</summary>
    public void AllocateBuffers(bool progressive)
    {
        int blocks = PlaneBlocksPerLine * PlaneBlocksPerColumn;
        Plane = ArrayPool<byte>.Shared.Rent(blocks * 64);
        if (progressive)
        {
            Coefficients = ArrayPool<short>.Shared.Rent(blocks * 64);
            Coefficients.AsSpan(0, blocks * 64).Clear();
            NonZero = ArrayPool<ulong>.Shared.Rent(blocks);
            NonZero.AsSpan(0, blocks).Clear();
        }
        else
        {
            RowCoefficients = ArrayPool<short>.Shared.Rent(V * PlaneBlocksPerLine * 64);
        }
    }

    /// <summary>Returns the rented buffers to the pool.</summary>
    public void ReturnBuffers()
    {
        if (Plane.Length > 0) ArrayPool<byte>.Shared.Return(Plane);
        if (Coefficients.Length > 0) ArrayPool<short>.Shared.Return(Coefficients);
        if (RowCoefficients.Length > 0) ArrayPool<short>.Shared.Return(RowCoefficients);
        if (NonZero.Length > 0) ArrayPool<ulong>.Shared.Return(NonZero);
        Plane = [];
        NonZero = [];
        Coefficients = [];
        RowCoefficients = [];
    }
}
