using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// Decodes the entropy-coded data of a sequential (baseline or extended, Huffman) scan (ITU T.81 F.2.2): one MCU row
/// (or block row of a non-interleaved scan) of coefficients at a time, then its inverse DCT into the component planes.
/// </summary>
internal static class JpegSequentialDecoder
{
    /// <summary>Decodes one scan whose data starts at <paramref name="position"/>; returns the offset where the data ends.</summary>
    public static int DecodeScan(ReadOnlySpan<byte> data, int position, JpegScan scan, int restartInterval, string source)
    {
        var reader = new JpegBitReader(data, position, source);
        JpegComponent[] comps = scan.Components;
        foreach (JpegComponent c in comps) c.DcPredictor = 0;
        int restartsLeft = restartInterval;

        if (!scan.Interleaved)
        {
            JpegComponent c = comps[0];
            JpegHuffmanTable dc = scan.DcTables[0]!, ac = scan.AcTables[0]!;
            Span<short> row = c.RowCoefficients.AsSpan(0, c.BlocksPerLine * 64);
            for (int by = 0; by < c.BlocksPerColumn; by++)
            {
                row.Clear();
                for (int bx = 0; bx < c.BlocksPerLine; bx++)
                {
                    if (restartInterval > 0)
                    {
                        if (restartsLeft == 0)
                        {
                            reader.Restart();
                            c.DcPredictor = 0;
                            restartsLeft = restartInterval;
                        }

                        restartsLeft--;
                    }

                    int predictor = c.DcPredictor;
                    DecodeBlock(ref reader, ref row[bx * 64], dc, ac, ref predictor, source);
                    c.DcPredictor = predictor;
                }

                JpegIdct.TransformRow(row, c.Quant!, c.Plane, by * 8 * c.PlaneStride, c.PlaneStride, c.BlocksPerLine);
            }
        }
        else
        {
            int mcusPerLine = comps[0].PlaneBlocksPerLine / comps[0].H;
            int mcusPerColumn = comps[0].PlaneBlocksPerColumn / comps[0].V;
            for (int my = 0; my < mcusPerColumn; my++)
            {
                foreach (JpegComponent c in comps) c.RowCoefficients.AsSpan(0, c.V * c.PlaneBlocksPerLine * 64).Clear();
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
                        JpegHuffmanTable dc = scan.DcTables[i]!, ac = scan.AcTables[i]!;
                        int predictor = c.DcPredictor;
                        ref short coefficients = ref MemoryMarshal.GetArrayDataReference(c.RowCoefficients);
                        for (int v = 0; v < c.V; v++)
                        {
                            int block = (v * c.PlaneBlocksPerLine) + (mx * c.H);
                            for (int h = 0; h < c.H; h++, block++)
                                DecodeBlock(ref reader, ref Unsafe.Add(ref coefficients, block * 64), dc, ac, ref predictor, source);
                        }

                        c.DcPredictor = predictor;
                    }
                }

                foreach (JpegComponent c in comps)
                {
                    for (int v = 0; v < c.V; v++)
                    {
                        int blockRow = (my * c.V) + v;
                        JpegIdct.TransformRow(
                            c.RowCoefficients.AsSpan(v * c.PlaneBlocksPerLine * 64, c.PlaneBlocksPerLine * 64), c.Quant!,
                            c.Plane, blockRow * 8 * c.PlaneStride, c.PlaneStride, c.PlaneBlocksPerLine);
                    }
                }
            }
        }

        reader.CheckEnd();
        return reader.Position;
    }

    /// <summary>
    /// Decodes one block's DC difference and AC coefficients (F.2.2.1, F.2.2.2) into a zeroed block in natural order.
    /// The bit buffer lives in locals for the whole block (in registers), and goes back to the reader at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DecodeBlock(ref JpegBitReader reader, ref short block, JpegHuffmanTable dcTable, JpegHuffmanTable acTable, ref int predictor, string source)
    {
        ulong bits = reader.Bits;
        int count = reader.Count;
        reader.Refill(ref bits, ref count);
        int s = reader.DecodeSymbol(dcTable, ref bits, ref count);
        predictor += Receive(s, ref bits, ref count);
        block = (short)predictor;

        ReadOnlySpan<byte> natural = JpegZigZag.NaturalOrder;
        int[] fast = acTable.FastAc;
        int k = 1;
        while (k < 64)
        {
            reader.Refill(ref bits, ref count);
            int f = fast[(int)(bits >> (64 - JpegHuffmanTable.LookupBits))];
            if (f != 0)
            {
                int used = f & 15;
                bits <<= used;
                count -= used;
                k += (f >> 4) & 15;
                if (k > 63) ThrowRunPastBlock(source);
                Unsafe.Add(ref block, natural[k]) = (short)(f >> 8);
                k++;
                continue;
            }

            int rs = reader.DecodeSymbol(acTable, ref bits, ref count);
            int run = rs >> 4;
            s = rs & 15;
            if (s == 0)
            {
                if (run != 15) break; // end of block
                k += 16;              // sixteen zeros
                continue;
            }

            k += run;
            int value = Receive(s, ref bits, ref count);
            if (k > 63) ThrowRunPastBlock(source);
            Unsafe.Add(ref block, natural[k]) = (short)value;
            k++;
        }

        reader.SetBits(bits, count);
    }

    /// <summary>RECEIVE and EXTEND (F.2.2.1) of <paramref name="s"/> bits (0..15) from a buffer held in locals.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Receive(int s, ref ulong bits, ref int count)
    {
        if (s == 0) return 0;
        int v = (int)(bits >> (64 - s));
        bits <<= s;
        count -= s;
        return v + (((v >> (s - 1)) - 1) & ((-1 << s) + 1));
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowRunPastBlock(string source) =>
        throw new ImageFormatException(source, "corrupt data: a run of AC coefficients goes past the end of a block");
}
