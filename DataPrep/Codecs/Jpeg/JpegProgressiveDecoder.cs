using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// Decodes the scans of a progressive frame into the components' coefficient arrays (ITU T.81 G.1.2): DC first and
/// refinement scans (interleaved or not), AC spectral-selection first scans with end-of-band runs, and AC successive-
/// approximation refinement scans. <see cref="Finish"/> runs the inverse DCT once all scans are in.
/// </summary>
internal static class JpegProgressiveDecoder
{
    /// <summary>Decodes one scan whose data starts at <paramref name="position"/>; returns the offset where the data ends.</summary>
    public static int DecodeScan(ReadOnlySpan<byte> data, int position, JpegScan scan, int restartInterval, string source)
    {
        var reader = new JpegBitReader(data, position, source);
        JpegComponent[] comps = scan.Components;
        foreach (JpegComponent c in comps) c.DcPredictor = 0;
        int restartsLeft = restartInterval;
        int eobRun = 0;

        if (scan.Interleaved)
        {
            // Only DC scans may interleave components.
            int mcusPerLine = comps[0].PlaneBlocksPerLine / comps[0].H;
            int mcusPerColumn = comps[0].PlaneBlocksPerColumn / comps[0].V;
            for (int my = 0; my < mcusPerColumn; my++)
            {
                for (int mx = 0; mx < mcusPerLine; mx++)
                {
                    if (restartInterval > 0)
                    {
                        if (restartsLeft == 0)
                        {
                            reader.Restart();
                            foreach (JpegComponent c in comps) c.DcPredictor = 0;
                            restartsLeft = restartInterval;
                        }

                        restartsLeft--;
                    }

                    for (int i = 0; i < comps.Length; i++)
                    {
                        JpegComponent c = comps[i];
                        ref short coefficients = ref MemoryMarshal.GetArrayDataReference(c.Coefficients);
                        for (int v = 0; v < c.V; v++)
                        {
                            int block = (((my * c.V) + v) * c.PlaneBlocksPerLine) + (mx * c.H);
                            for (int h = 0; h < c.H; h++, block++)
                                DecodeDc(ref reader, ref Unsafe.Add(ref coefficients, block * 64), scan, i, c);
                        }
                    }
                }
            }
        }
        else
        {
            JpegComponent c = comps[0];
            ref short coefficients = ref MemoryMarshal.GetArrayDataReference(c.Coefficients);
            for (int by = 0; by < c.BlocksPerColumn; by++)
            {
                for (int bx = 0; bx < c.BlocksPerLine; bx++)
                {
                    if (restartInterval > 0)
                    {
                        if (restartsLeft == 0)
                        {
                            reader.Restart();
                            c.DcPredictor = 0;
                            eobRun = 0;
                            restartsLeft = restartInterval;
                        }

                        restartsLeft--;
                    }

                    int index = (by * c.PlaneBlocksPerLine) + bx;
                    ref short block = ref Unsafe.Add(ref coefficients, index * 64);
                    if (scan.Ss == 0) DecodeDc(ref reader, ref block, scan, 0, c);
                    else if (scan.Ah == 0) DecodeAcFirst(ref reader, ref block, ref c.NonZero[index], scan, ref eobRun, source);
                    else DecodeAcRefine(ref reader, ref block, ref c.NonZero[index], scan, ref eobRun, source);
                }
            }
        }

        reader.CheckEnd();
        return reader.Position;
    }

    /// <summary>Runs the inverse DCT of every block of every component into its plane.</summary>
    public static void Finish(JpegFrame frame)
    {
        foreach (JpegComponent c in frame.Components)
        {
            int rowLength = c.PlaneBlocksPerLine * 64;
            for (int by = 0; by < c.PlaneBlocksPerColumn; by++)
                JpegIdct.TransformRow(c.Coefficients.AsSpan(by * rowLength, rowLength), c.Quant!, c.Plane, by * 8 * c.PlaneStride, c.PlaneStride, c.PlaneBlocksPerLine);
        }
    }

    private static void DecodeDc(ref JpegBitReader reader, ref short block, JpegScan scan, int scanIndex, JpegComponent c)
    {
        if (scan.Ah == 0)
        {
            reader.Refill();
            int s = reader.DecodeSymbol(scan.DcTables[scanIndex]!);
            c.DcPredictor += reader.Receive(s);
            block = (short)(c.DcPredictor << scan.Al);
        }
        else if (reader.ReadBit() != 0)
        {
            block |= (short)(1 << scan.Al);
        }
    }

    // The AC decoders hold the bit buffer in locals for the whole block (registers) and store it back at the end.
    private static void DecodeAcFirst(ref JpegBitReader reader, ref short block, ref ulong nonZero, JpegScan scan, ref int eobRun, string source)
    {
        if (eobRun > 0)
        {
            eobRun--;
            return;
        }

        JpegHuffmanTable table = scan.AcTables[0]!;
        int[] fast = table.FastAc;
        ReadOnlySpan<byte> natural = JpegZigZag.NaturalOrder;
        int k = scan.Ss, end = scan.Se, al = scan.Al;
        ulong bits = reader.Bits;
        int count = reader.Count;
        while (k <= end)
        {
            reader.Refill(ref bits, ref count);
            int f = fast[(int)(bits >> (64 - JpegHuffmanTable.LookupBits))];
            if (f != 0)
            {
                int used = f & 15;
                bits <<= used;
                count -= used;
                k += (f >> 4) & 15;
                if (k > end) ThrowRunPastBand(source);
                Unsafe.Add(ref block, natural[k]) = (short)((f >> 8) << al);
                nonZero |= 1UL << k;
                k++;
                continue;
            }

            int rs = reader.DecodeSymbol(table, ref bits, ref count);
            int run = rs >> 4, s = rs & 15;
            if (s == 0)
            {
                if (run < 15)
                {
                    // This block ends the first band of the run; 16 bits remain after the symbol, run is at most 14.
                    eobRun = (1 << run) - 1 + Take(run, ref bits, ref count);
                    break;
                }

                k += 16;
                continue;
            }

            k += run;
            int v = Take(s, ref bits, ref count);
            int value = v + (((v >> (s - 1)) - 1) & ((-1 << s) + 1)); // EXTEND (F.2.2.1)
            if (k > end) ThrowRunPastBand(source);
            Unsafe.Add(ref block, natural[k]) = (short)(value << al);
            nonZero |= 1UL << k;
            k++;
        }

        reader.SetBits(bits, count);
    }

    // Kept out of DecodeScan: inlined there, it left the bit buffer without registers (a third slower overall).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DecodeAcRefine(ref JpegBitReader reader, ref short block, ref ulong nonZero, JpegScan scan, ref int eobRun, string source)
    {
        JpegHuffmanTable table = scan.AcTables[0]!;
        ReadOnlySpan<byte> natural = JpegZigZag.NaturalOrder;
        int k = scan.Ss, end = scan.Se;
        int plus = 1 << scan.Al, minus = -1 << scan.Al;
        ulong bits = reader.Bits;
        int count = reader.Count;
        if (eobRun == 0)
        {
            for (; k <= end; k++)
            {
                reader.Refill(ref bits, ref count);
                int rs = reader.DecodeSymbol(table, ref bits, ref count);
                int run = rs >> 4, s = rs & 15;
                int value = 0;
                if (s != 0)
                {
                    value = Bit(ref reader, ref bits, ref count) != 0 ? plus : minus; // a newly non-zero coefficient (s is 1 in valid data)
                }
                else if (run != 15)
                {
                    eobRun = (1 << run) + Take(run, ref bits, ref count);
                    break;
                }

                // Skip `run` zero-history coefficients, stopping on the next one (or past the band), and append a
                // correction bit to each coefficient already non-zero on the way, in zig-zag order; the block's mask
                // of non-zero positions finds both without visiting every coefficient.
                ulong band = (ulong.MaxValue << k) & (ulong.MaxValue >> (63 - end));
                ulong zeros = ~nonZero & band;
                for (; run > 0 && zeros != 0; run--) zeros &= zeros - 1;
                int stop = zeros != 0 ? BitOperations.TrailingZeroCount(zeros) : end + 1;
                ulong corrections = nonZero & band & (stop == 64 ? ulong.MaxValue : (1UL << stop) - 1);
                while (corrections != 0)
                {
                    int z = BitOperations.TrailingZeroCount(corrections);
                    corrections &= corrections - 1;
                    ref short coef = ref Unsafe.Add(ref block, natural[z]);
                    if (Bit(ref reader, ref bits, ref count) != 0 && (coef & plus) == 0) coef += (short)(coef >= 0 ? plus : minus);
                }

                k = stop;

                if (value != 0)
                {
                    if (k > end) ThrowRunPastBand(source);
                    Unsafe.Add(ref block, natural[k]) = (short)value;
                    nonZero |= 1UL << k;
                }
            }
        }

        if (eobRun > 0)
        {
            // Inside an end-of-band run: only correction bits for the coefficients already non-zero, visited in
            // zig-zag order through the block's mask of them (corrections never make a coefficient zero).
            ulong pending = k <= end ? nonZero & (ulong.MaxValue << k) & (ulong.MaxValue >> (63 - end)) : 0;
            while (pending != 0)
            {
                int z = BitOperations.TrailingZeroCount(pending);
                pending &= pending - 1;
                ref short coef = ref Unsafe.Add(ref block, natural[z]);
                if (Bit(ref reader, ref bits, ref count) != 0 && (coef & plus) == 0) coef += (short)(coef >= 0 ? plus : minus);
            }

            eobRun--;
        }

        reader.SetBits(bits, count);
    }

    /// <summary>The next <paramref name="n"/> raw bits (0..16) of a buffer held in locals that has them available.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Take(int n, ref ulong bits, ref int count)
    {
        if (n == 0) return 0; // a shift by 64 would be a shift by 0
        int v = (int)(bits >> (64 - n));
        bits <<= n;
        count -= n;
        return v;
    }

    /// <summary>One bit of a buffer held in locals, refilling it first when needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bit(ref JpegBitReader reader, ref ulong bits, ref int count)
    {
        reader.Refill(ref bits, ref count);
        int v = (int)(bits >> 63);
        bits <<= 1;
        count--;
        return v;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowRunPastBand(string source) =>
        throw new ImageFormatException(source, "corrupt data: a run of AC coefficients goes past the end of the spectral band");
}
