using System.Buffers.Binary;
using System.Diagnostics;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Codecs.Bmp;
using MlPipelines.DataPrep.Codecs.Gif;
using MlPipelines.DataPrep.Codecs.Jpeg;
using MlPipelines.DataPrep.Codecs.Png;
using MlPipelines.DataPrep.Codecs.Pnm;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Tests.Codecs;

/// <summary>
/// Seeded mutation fuzzing of every decoder: bit flips, byte overwrites, truncations, header and length-field
/// corruption, insertions and deletions (for PNG also with the CRCs repaired, so the mutation reaches the
/// decoder behind the CRC check). The only exception allowed out is <see cref="ImageFormatException"/>
/// naming the source, and no file may take longer than the per-file time limit.
/// </summary>
[TestClass]
public sealed class CodecFuzzTests
{
    private const int MutationsPerFormat = 5000;
    private static readonly TimeSpan PerFileLimit = TimeSpan.FromSeconds(5);
    private static readonly DecoderOptions Options = new() { MaxPixels = 1 << 22 };

    [TestMethod]
    [DataRow("PNG")]
    [DataRow("BMP")]
    [DataRow("GIF")]
    [DataRow("PNM")]
    [DataRow("JPEG")]
    public void MutatedFiles_OnlyThrowImageFormatException_AndNeverHang(string format)
    {
        var (decoder, seeds) = Corpus(format);
        foreach (byte[] seed in seeds) decoder.Decode(seed, "seed", Options); // the seeds themselves are valid

        var failures = new List<string>();
        int current = -1;
        long startedAt = 0;
        var worker = Task.Factory.StartNew(() =>
        {
            var rng = new Random(format.GetHashCode(StringComparison.Ordinal) & 0xFFFF);
            for (int i = 0; i < MutationsPerFormat; i++)
            {
                byte[] seed = seeds[rng.Next(seeds.Count)];
                var (file, how) = Mutate(seed, rng, format == "PNG");
                Volatile.Write(ref startedAt, Stopwatch.GetTimestamp());
                Volatile.Write(ref current, i);
                string name = $"fuzz-{format}-{i}";
                try
                {
                    decoder.Decode(file, name, Options);
                }
                catch (ImageFormatException e) when (e.Source == name)
                {
                    // expected for most mutations
                }
                catch (Exception e)
                {
                    failures.Add($"#{i} ({how}): {e.GetType().Name}: {e.Message}");
                }
            }
        }, TaskCreationOptions.LongRunning);

        while (!worker.Wait(50))
        {
            int i = Volatile.Read(ref current);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(Volatile.Read(ref startedAt));
            if (i >= 0 && elapsed > PerFileLimit)
                Assert.Fail($"{format} mutation #{i} has run for {elapsed.TotalSeconds:F1} s (a hang)");
        }

        Assert.IsEmpty(failures, string.Join("\n", failures.Take(10)));
    }

    private static (IImageDecoder Decoder, List<byte[]> Seeds) Corpus(string format)
    {
        static byte[] Fixture(string folder, string name) => File.ReadAllBytes(Path.Combine(CodecFixtures.Folder(folder), name));
        return format switch
        {
            "PNG" => (new PngDecoder(),
            [
                ImageCodecs.EncodePng(CodecFixtures.Synthetic(12, 9, 1, 1)),
                ImageCodecs.EncodePng(CodecFixtures.Synthetic(7, 11, 3, 2)),
                ImageCodecs.EncodePng(CodecFixtures.Synthetic(9, 9, 4, 3)),
                .. new[] { "pal4_adam7.png", "gray16_trns.png", "ga16_adam7.png", "rgb8_many_idat.png", "pil_p_trns.png",
                    "gray1_adam7_9x2.png", "rgb8_trns_adam7.png", "rgba16_filter4.png" }.Select(n => Fixture("Png", n)),
            ]),
            "BMP" => (new BmpDecoder(),
                new[] { "pal1.bmp", "pal4.bmp", "pal8.bmp", "rle8.bmp", "rle4.bmp", "rle8_delta.bmp", "rgb565.bmp", "rgba32_v124.bmp",
                    "ppmtobmp_os2_8.bmp", "rgb24_topdown.bmp", "rgb101010.bmp" }.Select(n => Fixture("Bmp", n)).ToList()),
            "GIF" => (new GifDecoder(),
                new[] { "global.gif", "interlaced.gif", "transparent.gif", "full_table_deferred.gif", "odd_table.gif",
                    "pil_two_frames.gif", "twocolour_bits.gif" }.Select(n => Fixture("Gif", n)).ToList()),
            "JPEG" => (new JpegDecoder(),
                new[] { "baseline_420.jpg", "progressive_420.jpg", "progressive_deep_420.jpg", "restart_rows_420.jpg",
                    "progressive_restart_420.jpg", "gray_progressive.jpg", "optimized_444_q97.jpg", "cmyk_444.jpg", "ycck_420.jpg",
                    "sequential_noninterleaved_420.jpg", "baseline_mixed.jpg", "size_2x2_2x2.jpg" }.Select(n => Fixture("Jpeg", n))
                    .Append(JpegBytes.InsertAfterSoi(Fixture("Jpeg", "baseline_422.jpg"), JpegBytes.ExifApp1(6, littleEndian: false, filler: 2)))
                    .ToList()),
            _ => (new PnmDecoder(),
                new[] { "rgb_plain.ppm", "bits.pbm", "bits_plain.pbm", "gray_max65535.pgm", "rgba.pam", "graya.pam",
                    "rgb_comments.ppm", "rgb_max1000_plain.ppm" }.Select(n => Fixture("Pnm", n)).ToList()),
        };
    }

    private static (byte[] File, string How) Mutate(byte[] seed, Random rng, bool png)
    {
        byte[] b = (byte[])seed.Clone();
        int kind = rng.Next(7);
        string how;
        switch (kind)
        {
            case 0:
                {
                    int flips = rng.Next(1, 5);
                    for (int k = 0; k < flips; k++) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                    how = $"{flips} bit flips";
                    break;
                }

            case 1:
                {
                    int n = rng.Next(1, 5);
                    for (int k = 0; k < n; k++) b[rng.Next(b.Length)] = Interesting(rng);
                    how = $"{n} byte overwrites";
                    break;
                }

            case 2:
                how = "truncation";
                b = b[..rng.Next(b.Length)];
                break;
            case 3:
                {
                    // Header / size fields: a 16- or 32-bit value of either byte order in the first 64 bytes.
                    int at = rng.Next(Math.Min(64, b.Length - 4));
                    uint v = rng.Next(4) switch { 0 => 0, 1 => 0xFFFFFFFF, 2 => 0x7FFFFFFF, _ => (uint)rng.Next() };
                    if (rng.Next(2) == 0) BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
                    else BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at), (ushort)v);
                    how = $"field at {at} = 0x{v:X}";
                    break;
                }

            case 4:
                {
                    int at = rng.Next(b.Length), n = rng.Next(1, 64);
                    if (rng.Next(2) == 0)
                    {
                        var junk = new byte[n];
                        rng.NextBytes(junk);
                        b = [.. b[..at], .. junk, .. b[at..]];
                        how = $"{n} bytes inserted at {at}";
                    }
                    else
                    {
                        b = [.. b[..at], .. b[Math.Min(b.Length, at + n)..]];
                        how = $"{n} bytes deleted at {at}";
                    }

                    break;
                }

            case 5:
                {
                    // Length fields: PNG chunk lengths, or any 32-bit word, set to something large or small.
                    int at = png ? ChunkStart(b, rng) : rng.Next(Math.Max(1, b.Length - 4));
                    if (at + 4 <= b.Length)
                        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(at), rng.Next(3) switch { 0 => rng.Next(), 1 => rng.Next(64), _ => b.Length });
                    how = $"length field at {at}";
                    break;
                }

            default:
                {
                    // A run of bytes inside the data replaced with random values (garbage compressed data).
                    int at = rng.Next(b.Length), n = Math.Min(b.Length - at, rng.Next(1, 32));
                    rng.NextBytes(b.AsSpan(at, n));
                    how = $"{n} random bytes at {at}";
                    break;
                }
        }

        if (png && kind != 2 && rng.Next(10) < 6)
        {
            PngBytes.FixCrcs(b);
            how += ", CRCs repaired";
        }

        return (b, how);
    }

    private static int ChunkStart(byte[] png, Random rng)
    {
        var starts = new List<int>();
        int pos = 8;
        while (pos + 12 <= png.Length)
        {
            starts.Add(pos);
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (length > png.Length) break;
            pos += 12 + (int)length;
        }

        return starts.Count == 0 ? 8 : starts[rng.Next(starts.Count)];
    }

    private static byte Interesting(Random rng) => rng.Next(5) switch
    {
        0 => 0,
        1 => 0xFF,
        2 => 0x7F,
        3 => 0x80,
        _ => (byte)rng.Next(256),
    };
}
