using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlPipelines.DataPrep.Codecs.Png;

/// <summary>
/// The five PNG scanline filters (specification section 9): None, Sub, Up, Average and Paeth.
/// Rows are filtered per byte with <c>bpp</c> = bytes per complete pixel (at least 1); the row above
/// the first one is all zeros (pass an empty <c>prior</c> span).
/// </summary>
internal static class PngFilters
{
    public const byte None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4;

    /// <summary>
    /// Reverses filter <paramref name="filter"/>: <paramref name="dst"/>[i] = <paramref name="raw"/>[i] + predictor.
    /// <paramref name="dst"/> may be the same memory as <paramref name="raw"/> (in place). Returns false for an unknown filter type.
    /// </summary>
    public static bool Unfilter(byte filter, ReadOnlySpan<byte> raw, Span<byte> dst, ReadOnlySpan<byte> prior, int bpp)
    {
        int n = raw.Length;
        if (dst.Length != n || (prior.Length != 0 && prior.Length != n) || bpp < 1) throw new ArgumentException("Row lengths disagree.");
        if (n == 0) return filter <= Paeth;
        ref byte r = ref MemoryMarshal.GetReference(raw);
        ref byte d = ref MemoryMarshal.GetReference(dst);
        bool first = prior.Length == 0;
        ref byte p = ref MemoryMarshal.GetReference(prior);
        switch (filter)
        {
            case None:
                if (!Unsafe.AreSame(ref r, ref d)) raw.CopyTo(dst);
                return true;
            case Sub:
                UnfilterSub(ref r, ref d, n, bpp);
                return true;
            case Up:
                if (first) { if (!Unsafe.AreSame(ref r, ref d)) raw.CopyTo(dst); }
                else AddRows(ref r, ref p, ref d, n);
                return true;
            case Average:
                if (first) UnfilterAverageFirst(ref r, ref d, n, bpp);
                else UnfilterAverage(ref r, ref p, ref d, n, bpp);
                return true;
            case Paeth:
                if (first) UnfilterSub(ref r, ref d, n, bpp); // Paeth with a zero row above is Sub.
                else if (bpp == 3) UnfilterPaeth3(ref r, ref p, ref d, n);
                else if (bpp == 4) UnfilterPaeth4(ref r, ref p, ref d, n);
                else UnfilterPaeth(ref r, ref p, ref d, n, bpp);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Applies filter <paramref name="filter"/> to <paramref name="row"/> into <paramref name="dst"/> (the encoder side).</summary>
    public static void Filter(byte filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, Span<byte> dst, int bpp)
    {
        int n = row.Length;
        bool first = prior.Length == 0;
        for (int i = 0; i < n; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0;
            int b = first ? 0 : prior[i];
            int c = i >= bpp && !first ? prior[i - bpp] : 0;
            int predictor = filter switch
            {
                Sub => a,
                Up => b,
                Average => (a + b) >> 1,
                Paeth => PaethPredictor(a, b, c),
                _ => 0,
            };
            dst[i] = (byte)(row[i] - predictor);
        }
    }

    /// <summary>The Paeth predictor of the specification (ties go to a, then b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PaethPredictor(int a, int b, int c)
    {
        int pa = Math.Abs(b - c);
        int pb = Math.Abs(a - c);
        int pc = Math.Abs(a + b - c - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    private static void UnfilterSub(ref byte r, ref byte d, int n, int bpp)
    {
        int i = 0;
        for (; i < bpp && i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref r, i);
        for (; i < n; i++) Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref r, i) + Unsafe.Add(ref d, i - bpp));
    }

    /// <summary>d = r + p bytewise (the Up filter), with Vector512, Vector256 and scalar paths.</summary>
    private static void AddRows(ref byte r, ref byte p, ref byte d, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + Vector512<byte>.Count <= n; i += Vector512<byte>.Count)
                Vector512.StoreUnsafe(Vector512.LoadUnsafe(ref r, (nuint)i) + Vector512.LoadUnsafe(ref p, (nuint)i), ref d, (nuint)i);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<byte>.Count <= n; i += Vector256<byte>.Count)
                Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref r, (nuint)i) + Vector256.LoadUnsafe(ref p, (nuint)i), ref d, (nuint)i);
        }

        for (; i < n; i++) Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref r, i) + Unsafe.Add(ref p, i));
    }

    private static void UnfilterAverageFirst(ref byte r, ref byte d, int n, int bpp)
    {
        int i = 0;
        for (; i < bpp && i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref r, i);
        for (; i < n; i++) Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref r, i) + (Unsafe.Add(ref d, i - bpp) >> 1));
    }

    private static void UnfilterAverage(ref byte r, ref byte p, ref byte d, int n, int bpp)
    {
        int i = 0;
        for (; i < bpp && i < n; i++) Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref r, i) + (Unsafe.Add(ref p, i) >> 1));
        for (; i < n; i++)
            Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref r, i) + ((Unsafe.Add(ref d, i - bpp) + Unsafe.Add(ref p, i)) >> 1));
    }

    private static void UnfilterPaeth(ref byte r, ref byte p, ref byte d, int n, int bpp)
    {
        int i = 0;
        for (; i < bpp && i < n; i++) Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref r, i) + Unsafe.Add(ref p, i));
        for (; i < n; i++)
        {
            int pred = PaethPredictor(Unsafe.Add(ref d, i - bpp), Unsafe.Add(ref p, i), Unsafe.Add(ref p, i - bpp));
            Unsafe.Add(ref d, i) = (byte)(Unsafe.Add(ref r, i) + pred);
        }
    }

    /// <summary>Paeth for 3-byte pixels, keeping the left and upper-left pixel in registers.</summary>
    private static void UnfilterPaeth3(ref byte r, ref byte p, ref byte d, int n)
    {
        if (n < 3) { UnfilterPaeth(ref r, ref p, ref d, n, 3); return; }
        int a0 = (byte)(r + p), a1 = (byte)(Unsafe.Add(ref r, 1) + Unsafe.Add(ref p, 1)), a2 = (byte)(Unsafe.Add(ref r, 2) + Unsafe.Add(ref p, 2));
        d = (byte)a0; Unsafe.Add(ref d, 1) = (byte)a1; Unsafe.Add(ref d, 2) = (byte)a2;
        int c0 = p, c1 = Unsafe.Add(ref p, 1), c2 = Unsafe.Add(ref p, 2);
        for (int i = 3; i + 3 <= n; i += 3)
        {
            int b0 = Unsafe.Add(ref p, i), b1 = Unsafe.Add(ref p, i + 1), b2 = Unsafe.Add(ref p, i + 2);
            a0 = (byte)(Unsafe.Add(ref r, i) + PaethPredictor(a0, b0, c0));
            a1 = (byte)(Unsafe.Add(ref r, i + 1) + PaethPredictor(a1, b1, c1));
            a2 = (byte)(Unsafe.Add(ref r, i + 2) + PaethPredictor(a2, b2, c2));
            Unsafe.Add(ref d, i) = (byte)a0; Unsafe.Add(ref d, i + 1) = (byte)a1; Unsafe.Add(ref d, i + 2) = (byte)a2;
            c0 = b0; c1 = b1; c2 = b2;
        }
    }

    /// <summary>Paeth for 4-byte pixels, keeping the left and upper-left pixel in registers.</summary>
    private static void UnfilterPaeth4(ref byte r, ref byte p, ref byte d, int n)
    {
        if (n < 4) { UnfilterPaeth(ref r, ref p, ref d, n, 4); return; }
        int a0 = (byte)(r + p), a1 = (byte)(Unsafe.Add(ref r, 1) + Unsafe.Add(ref p, 1));
        int a2 = (byte)(Unsafe.Add(ref r, 2) + Unsafe.Add(ref p, 2)), a3 = (byte)(Unsafe.Add(ref r, 3) + Unsafe.Add(ref p, 3));
        d = (byte)a0; Unsafe.Add(ref d, 1) = (byte)a1; Unsafe.Add(ref d, 2) = (byte)a2; Unsafe.Add(ref d, 3) = (byte)a3;
        int c0 = p, c1 = Unsafe.Add(ref p, 1), c2 = Unsafe.Add(ref p, 2), c3 = Unsafe.Add(ref p, 3);
        for (int i = 4; i + 4 <= n; i += 4)
        {
            int b0 = Unsafe.Add(ref p, i), b1 = Unsafe.Add(ref p, i + 1), b2 = Unsafe.Add(ref p, i + 2), b3 = Unsafe.Add(ref p, i + 3);
            a0 = (byte)(Unsafe.Add(ref r, i) + PaethPredictor(a0, b0, c0));
            a1 = (byte)(Unsafe.Add(ref r, i + 1) + PaethPredictor(a1, b1, c1));
            a2 = (byte)(Unsafe.Add(ref r, i + 2) + PaethPredictor(a2, b2, c2));
            a3 = (byte)(Unsafe.Add(ref r, i + 3) + PaethPredictor(a3, b3, c3));
            Unsafe.Add(ref d, i) = (byte)a0; Unsafe.Add(ref d, i + 1) = (byte)a1;
            Unsafe.Add(ref d, i + 2) = (byte)a2; Unsafe.Add(ref d, i + 3) = (byte)a3;
            c0 = b0; c1 = b1; c2 = b2; c3 = b3;
        }
    }
}
