using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlPipelines.DataPrep.Codecs.Png;

/// <summary>
/// The CRC-32 of the PNG specification (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320,
/// initial value and final XOR 0xFFFFFFFF): carry-less-multiply folding where the CPU has PCLMULQDQ,
/// otherwise eight bytes at a time with slicing tables; a bit-at-a-time twin is the test reference.
/// </summary>
internal static class PngCrc32
{
    private const uint Polynomial = 0xEDB88320u;

    // Tables[k][b]: CRC contribution of byte b followed by k zero bytes. Built once, never written after.
    private static readonly uint[] Tables = BuildTables();

    /// <summary>The CRC of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;

    /// <summary>Continues a running (non-finalised) CRC register over <paramref name="data"/>.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (Pclmulqdq.IsSupported && data.Length >= 128)
        {
            int folded = data.Length & ~15;
            Vector128<ulong> residue = FoldBlocks(crc, data[..folded]);
            Span<byte> bytes = stackalloc byte[16];
            residue.AsByte().CopyTo(bytes);
            return UpdateTable(UpdateTable(0, bytes), data[folded..]);
        }

        return UpdateTable(crc, data);
    }

    /// <summary>The slicing-by-8 table path (also the tail of the carry-less-multiply path).</summary>
    internal static uint UpdateTable(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] t = Tables;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            uint lo = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i, 4)) ^ crc;
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i + 4, 4));
            crc = t[(7 * 256) + (lo & 0xFF)] ^ t[(6 * 256) + ((lo >> 8) & 0xFF)]
                ^ t[(5 * 256) + ((lo >> 16) & 0xFF)] ^ t[(4 * 256) + (lo >> 24)]
                ^ t[(3 * 256) + (hi & 0xFF)] ^ t[(2 * 256) + ((hi >> 8) & 0xFF)]
                ^ t[256 + ((hi >> 16) & 0xFF)] ^ t[hi >> 24];
        }

        for (; i < data.Length; i++)
            crc = t[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>
    /// Folds whole 16-byte blocks (at least 64 bytes, a multiple of 16) with carry-less multiplication, the method of
    /// Intel's white paper "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ". Returns a 16-byte value
    /// congruent to the data (with <paramref name="crc"/> XORed into its first four bytes) modulo the polynomial:
    /// running the table CRC over it from a zero register gives the register after the data. The constants are
    /// x^(512+32), x^(512-32), x^(128+32) and x^(128-32) mod P, bit-reflected and shifted left by one.
    /// </summary>
    private static Vector128<ulong> FoldBlocks(uint crc, ReadOnlySpan<byte> data)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        int n = data.Length;
        Vector128<ulong> x0 = Vector128.LoadUnsafe(ref p).AsUInt64() ^ Vector128.CreateScalar((ulong)crc);
        Vector128<ulong> x1 = Vector128.LoadUnsafe(ref p, 16).AsUInt64();
        Vector128<ulong> x2 = Vector128.LoadUnsafe(ref p, 32).AsUInt64();
        Vector128<ulong> x3 = Vector128.LoadUnsafe(ref p, 48).AsUInt64();
        int i = 64;
        Vector128<ulong> by4 = Vector128.Create(0x0154442BD4UL, 0x01C6E41596UL);
        for (; i + 64 <= n; i += 64)
        {
            x0 = Fold(x0, by4) ^ Vector128.LoadUnsafe(ref p, (nuint)i).AsUInt64();
            x1 = Fold(x1, by4) ^ Vector128.LoadUnsafe(ref p, (nuint)(i + 16)).AsUInt64();
            x2 = Fold(x2, by4) ^ Vector128.LoadUnsafe(ref p, (nuint)(i + 32)).AsUInt64();
            x3 = Fold(x3, by4) ^ Vector128.LoadUnsafe(ref p, (nuint)(i + 48)).AsUInt64();
        }

        Vector128<ulong> by1 = Vector128.Create(0x01751997D0UL, 0x00CCAA009EUL);
        x0 = Fold(x0, by1) ^ x1;
        x0 = Fold(x0, by1) ^ x2;
        x0 = Fold(x0, by1) ^ x3;
        for (; i + 16 <= n; i += 16)
            x0 = Fold(x0, by1) ^ Vector128.LoadUnsafe(ref p, (nuint)i).AsUInt64();
        return x0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> x, Vector128<ulong> k) =>
        Pclmulqdq.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, k, 0x11);

    /// <summary>The plain bit-at-a-time CRC, the reference the table version is tested against.</summary>
    internal static uint ComputeBitwise(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ Polynomial : crc >> 1;
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildTables()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            t[n] = c;
        }

        for (int k = 1; k < 8; k++)
            for (int n = 0; n < 256; n++)
            {
                uint prev = t[((k - 1) * 256) + n];
                t[(k * 256) + n] = (prev >> 8) ^ t[prev & 0xFF];
            }

        return t;
    }
}
