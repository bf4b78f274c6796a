using System.Buffers.Binary;
using System.IO.Compression;
using MlPipelines.DataPrep.Datasets;
using MlPipelines.Testing;

namespace MlPipelines.DataPrep.Tests.Datasets;

[TestClass]
public sealed class IdxFileTests
{
    private static byte[] Idx(byte type, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    private static IdxData ReadBytes(byte[] bytes) => IdxFile.Read(new MemoryStream(bytes), "test.idx");

    [TestMethod]
    public void Reads_PlainAndGzipped_Identically()
    {
        byte[] data = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 7)).ToArray();
        byte[] raw = Idx(0x08, [2, 3, 4], data);
        foreach (byte[] bytes in new[] { raw, Gzip(raw) })
        {
            var idx = ReadBytes(bytes);
            CollectionAssert.AreEqual(new[] { 2, 3, 4 }, idx.Dimensions);
            CollectionAssert.AreEqual(data, idx.Data);
            Assert.AreEqual(2, idx.Count);
            Assert.AreEqual(12, idx.ItemSize);
            CollectionAssert.AreEqual(data[12..], idx.Item(1).ToArray());
        }
    }

    [TestMethod]
    public void Rejects_BadFiles_WithTheSourceNamed()
    {
        byte[] good = Idx(0x08, [4], [1, 2, 3, 4]);
        var cases = new Dictionary<string, byte[]>
        {
            ["empty"] = [],
            ["short magic"] = [0, 0],
            ["wrong magic"] = [1, 2, 8, 1, 0, 0, 0, 1, 5],
            ["float type"] = Idx(0x0D, [1], [0, 0, 0, 0]),
            ["rank zero"] = [0, 0, 8, 0],
            ["truncated dims"] = good[..6],
            ["truncated data"] = good[..^1],
            ["negative dim"] = Idx(0x08, [-1], []),
            ["absurd size"] = Idx(0x08, [int.MaxValue, int.MaxValue], []),
            ["corrupt gzip"] = [.. Gzip(good)[..10], 0xFF, 0xFF, 0xFF],
        };
        foreach (var (name, bytes) in cases)
        {
            var ex = Assert.ThrowsExactly<InvalidDataException>(() => ReadBytes(bytes), name);
            StringAssert.StartsWith(ex.Message, "test.idx:", name);
        }
    }

    [TestMethod]
    public void BundledSample_IsClassBalancedFashionMnist()
    {
        string data = TestPaths.DataFolder;
        var images = IdxFile.Read(Path.Combine(data, "fashion-sample-train-images-idx3-ubyte.gz"));
        var labels = IdxFile.Read(Path.Combine(data, "fashion-sample-train-labels-idx1-ubyte.gz"));
        CollectionAssert.AreEqual(new[] { 6000, 28, 28 }, images.Dimensions);
        Assert.AreEqual(6000, labels.Count);
        var counts = labels.Data.GroupBy(b => b).ToDictionary(g => g.Key, g => g.Count());
        Assert.AreEqual(10, counts.Count);
        Assert.IsTrue(counts.Values.All(c => c == 600));
        // The first image of the sample is the first image of the original training file.
        const string original = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
        var full = IdxFile.Read(original);
        CollectionAssert.AreEqual(full.Item(0).ToArray(), images.Item(0).ToArray());
    }
}
