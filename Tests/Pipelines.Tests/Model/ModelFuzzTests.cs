using System.Buffers.Binary;
using System.Text;
using MlPipelines.Model;

namespace MlPipelines.Pipelines.Tests.Model;

/// <summary>Seeded mutations of a real model file: the loader may succeed or throw <see cref="ModelFormatException"/>, nothing else.</summary>
[TestClass]
public sealed class ModelFuzzTests
{
    private const int Mutations = 3000;

    [TestMethod]
    public void MutatedFiles_OnlyRaiseTheDocumentedException()
    {
        var ctx = ModelFiles.Context();
        var data = ModelFiles.Data(ctx);
        byte[] file = ModelFiles.Save(ctx, ModelFiles.Model(ctx, data), data);
        var (manifest, tensors) = ModelFiles.Open(file);
        var rand = new Random(20240611);
        int failures = 0, loads = 0;
        long worstAllocation = 0;
        for (int i = 0; i < Mutations; i++)
        {
            int family = rand.Next(6);
            byte[] mutated = family switch
            {
                0 => FlipBytes(file, rand),
                1 => file[..rand.Next(file.Length)],
                2 => ModelFiles.Build(MutateText(manifest, rand), tensors, fixChecksum: rand.Next(2) == 0),
                3 => ModelFiles.Build(MutateNumbers(manifest, rand), tensors, fixChecksum: true),
                4 => ModelFiles.Build(manifest, MutateTensors(tensors, rand), fixChecksum: true),
                _ => ModelFiles.Build(manifest, FlipBytes(tensors, rand), fixChecksum: rand.Next(4) != 0),
            };
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                ctx.Model.Load(new MemoryStream(mutated), out _);
                loads++;
            }
            catch (ModelFormatException)
            {
                failures++;
            }
            catch (Exception e)
            {
                Assert.Fail($"Mutation {i} (family {family}) raised {e.GetType().Name}: {e.Message}");
            }
            worstAllocation = Math.Max(worstAllocation, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.IsTrue(failures > Mutations / 2, $"only {failures} of {Mutations} mutations were rejected");
        Assert.IsTrue(loads > 0, "some harmless mutations should still load");
        Assert.IsTrue(worstAllocation < 64L << 20, $"a mutated file made the loader allocate {worstAllocation} bytes");
    }

    private static byte[] FlipBytes(byte[] source, Random rand)
    {
        var bytes = (byte[])source.Clone();
        int flips = rand.Next(1, 5);
        for (int k = 0; k < flips; k++) bytes[rand.Next(bytes.Length)] ^= (byte)(1 << rand.Next(8));
        if (rand.Next(5) == 0) bytes[rand.Next(bytes.Length)] = (byte)rand.Next(256);
        return bytes;
    }

    private static string MutateText(string text, Random rand)
    {
        var sb = new StringBuilder(text);
        int edits = rand.Next(1, 4);
        const string Alphabet = "{}[]\":,.0123456789-eE/\\ abcxyzmlp_";
        for (int k = 0; k < edits && sb.Length > 0; k++)
        {
            int at = rand.Next(sb.Length);
            switch (rand.Next(3))
            {
                case 0:
                    sb[at] = Alphabet[rand.Next(Alphabet.Length)];
                    break;
                case 1:
                    sb.Remove(at, Math.Min(sb.Length - at, rand.Next(1, 8)));
                    break;
                default:
                    sb.Insert(at, Alphabet[rand.Next(Alphabet.Length)]);
                    break;
            }
        }
        return sb.ToString();
    }

    private static readonly string[] Evil =
        ["0", "-1", "2147483648", "99999999999999999999", "1e308", "null", "\"\"", "\"../../x\"", "[]", "{}", "true", "\"mlp.transformer_chain\""];

    private static string MutateNumbers(string text, Random rand)
    {
        var tokens = new List<(int Start, int Length)>();
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]) && text[i] != '"') continue;
            int start = i;
            if (text[i] == '"')
            {
                int end = text.IndexOf('"', i + 1);
                if (end < 0) break;
                i = end;
            }
            else
            {
                while (i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])) i++;
            }
            tokens.Add((start, i - start + 1));
        }
        var (s, l) = tokens[rand.Next(tokens.Count)];
        return text[..s] + Evil[rand.Next(Evil.Length)] + text[(s + l)..];
    }

    private static byte[] MutateTensors(byte[] tensors, Random rand)
    {
        var bytes = (byte[])tensors.Clone();
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        switch (rand.Next(3))
        {
            case 0:
                ulong[] lengths = [0, 1, headerLength - 1, headerLength + 8, (ulong)bytes.Length, ulong.MaxValue, 1UL << 40, (ulong)rand.NextInt64()];
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, lengths[rand.Next(lengths.Length)]);
                return bytes;
            case 1:
                string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
                string mutated = rand.Next(2) == 0 ? MutateNumbers(header, rand) : MutateText(header, rand);
                byte[] h = Encoding.UTF8.GetBytes(mutated);
                return [.. BitConverter.GetBytes((ulong)h.Length), .. h, .. bytes.AsSpan(8 + (int)headerLength)];
            default:
                return rand.Next(2) == 0 ? bytes[..rand.Next(bytes.Length)] : [.. bytes, .. new byte[rand.Next(1, 64)]];
        }
    }
}
