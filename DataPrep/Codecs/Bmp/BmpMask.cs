using System.Numerics;

namespace MlPipelines.DataPrep.Codecs.Bmp;

/// <summary>
/// One BI_BITFIELDS channel mask: extracts the field and scales it to 8 bits as floor(v x 255 / max),
/// the rule of both Pillow and Netpbm's bmptopnm (so 5-bit 30 is 246); a zero mask reads as 0.
/// </summary>
internal readonly struct BmpMask
{
    private readonly uint _mask;
    private readonly int _shift;
    private readonly uint _max;

    public BmpMask(uint mask)
    {
        _mask = mask;
        _shift = mask == 0 ? 0 : BitOperations.TrailingZeroCount(mask);
        _max = mask >> _shift;
    }

    /// <summary>The raw mask.</summary>
    public uint Mask => _mask;

    /// <summary>Whether the set bits are one contiguous run (required for a usable mask; zero is allowed).</summary>
    public bool IsContiguous => (_max & (_max + 1)) == 0;

    /// <summary>The field of <paramref name="pixel"/> as an 8-bit value.</summary>
    public byte Extract(uint pixel)
    {
        if (_max == 0) return 0;
        uint v = (pixel & _mask) >> _shift;
        if (_max == 255) return (byte)v;
        return (byte)(((ulong)v * 255) / _max);
    }
}
