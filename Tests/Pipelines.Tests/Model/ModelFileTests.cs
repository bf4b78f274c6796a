using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MlPipelines.Data;
using MlPipelines.Model;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests.Model;

[TestClass]
public sealed class ModelFileTests
{
    [TestMethod]
    public void SaveLoad_File_GivesTheSameSchemaAndOutputs()
    {
        var ctx = ModelFiles.Context();
        var data = ModelFiles.Data(ctx);
        var model = ModelFiles.Model(ctx, data);
        string folder = MlPipelines.Testing.TestPaths.NewTempFolder("model");
        try
        {
            string path = Path.Combine(folder, "model.zip");
            ctx.Model.Save(model, data.Schema, path);
            Assert.AreEqual(1, Directory.GetFiles(folder).Length, "no temporary file is left");
            var loaded = ModelFiles.Context().Model.Load(path, out var inputSchema);
            EstimatorWorkout.AssertSchemasEqual(data.Schema, inputSchema!, "input schema");
            var expected = model.Transform(data);
            var actual = loaded.Transform(data);
            EstimatorWorkout.AssertSchemasEqual(expected.Schema, actual.Schema, "output schema");
            ViewReader.AssertEqual(ViewReader.ReadAll(expected), ViewReader.ReadAll(actual), "outputs");
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void File_IsAZipWithManifestAndSafetensors()
    {
        var ctx = ModelFiles.Context();
        var data = ModelFiles.Data(ctx);
        var model = ModelFiles.Model(ctx, data);
        var (manifest, tensors) = ModelFiles.Open(ModelFiles.Save(ctx, model, data));

        using var doc = JsonDocument.Parse(manifest);
        Assert.AreEqual("MlPipelines.Model", doc.RootElement.GetProperty("format").GetString());
        Assert.AreEqual(1, doc.RootElement.GetProperty("formatVersion").GetInt32());
        Assert.AreEqual(Convert.ToHexStringLower(SHA256.HashData(tensors)), doc.RootElement.GetProperty("tensorsSha256").GetString());
        var root = doc.RootElement.GetProperty("model");
        Assert.AreEqual("mlp.transformer_chain", root.GetProperty("component").GetString());
        Assert.AreEqual(6, root.GetProperty("children").EnumerateObject().Count());
        Assert.AreEqual("Label", doc.RootElement.GetProperty("inputSchema")[0].GetProperty("name").GetString());

        // Decode the safetensors entry by hand: u64 LE header length, JSON header, raw little-endian data.
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(tensors);
        Assert.AreEqual(0UL, headerLength % 8, "the header is padded to 8 bytes");
        using var header = JsonDocument.Parse(tensors.AsMemory(8, (int)headerLength));
        var terms = header.RootElement.GetProperty("model.1.terms");
        Assert.AreEqual("F32", terms.GetProperty("dtype").GetString());
        int count = terms.GetProperty("shape")[0].GetInt32();
        long begin = terms.GetProperty("data_offsets")[0].GetInt64(), end = terms.GetProperty("data_offsets")[1].GetInt64();
        Assert.AreEqual(count * 4L, end - begin);
        var decoded = new float[count];
        for (int i = 0; i < count; i++) decoded[i] = BinaryPrimitives.ReadSingleLittleEndian(tensors.AsSpan(8 + (int)headerLength + (int)begin + 4 * i));
        var expected = TestRows.Labeled(40).Select(r => r.Weight).Distinct().ToArray();
        CollectionAssert.AreEqual(expected, decoded, "the terms tensor holds the weights in order of first appearance");
    }

    [TestMethod]
    public void FailedSave_LeavesTheExistingFileUntouched()
    {
        var ctx = ModelFiles.Context();
        var data = ModelFiles.Data(ctx);
        string folder = MlPipelines.Testing.TestPaths.NewTempFolder("atomic");
        try
        {
            string path = Path.Combine(folder, "model.zip");
            ctx.Model.Save(ModelFiles.Model(ctx, data), data.Schema, path);
            byte[] before = File.ReadAllBytes(path);
            var unsavable = ctx.Transforms.Concatenate("A", "Features")
                .Append(ctx.Transforms.CustomMapping<WeightInput, WeightOutput>(WeightMappingFactory.Map, null)).Fit(data);
            Assert.ThrowsExactly<InvalidOperationException>(() => ctx.Model.Save(unsavable, data.Schema, path));
            CollectionAssert.AreEqual(before, File.ReadAllBytes(path));
            CollectionAssert.AreEqual(new[] { "model.zip" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray());
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [TestMethod]
    public void NonSeekableStream_Loads()
    {
        var ctx = ModelFiles.Context();
        var data = ModelFiles.Data(ctx);
        var bytes = ModelFiles.Save(ctx, ModelFiles.Model(ctx, data), data);
        var loaded = ctx.Model.Load(new ForwardOnlyStream(bytes), out _);
        Assert.AreEqual(40, loaded.Transform(data).GetColumn<uint>("Key").Count());
    }

    [TestMethod]
    public void NewerFormatVersion_IsRejectedClearly()
    {
        var e = LoadRewritten(m => m.Replace("\"formatVersion\": 1", "\"formatVersion\": 2"), fixChecksum: false);
        StringAssert.Contains(e.Message, "version 2");
    }

    [TestMethod]
    public void UnknownComponent_IsRejectedByName()
    {
        var e = LoadRewritten(m => m.Replace("\"mlp.concatenate\"", "\"evil.payload\""), fixChecksum: false);
        StringAssert.Contains(e.Message, "evil.payload");
    }

    [TestMethod]
    public void NewerComponentVersion_IsRejected()
    {
        var e = LoadRewritten(m =>
        {
            int at = m.IndexOf("\"mlp.concatenate\"", StringComparison.Ordinal);
            int v = m.IndexOf("\"version\": 1", at, StringComparison.Ordinal);
            return m[..v] + "\"version\": 7" + m[(v + "\"version\": 1".Length)..];
        }, fixChecksum: false);
        StringAssert.Contains(e.Message, "version 7");
    }

    [TestMethod]
    public void ZipSlipEntry_IsRejected()
    {
        var (manifest, tensors) = Original();
        var e = Assert.ThrowsExactly<ModelFormatException>(() => Load(ModelFiles.Build(manifest, tensors, false, ("../../evil.sh", [1, 2, 3]))));
        StringAssert.Contains(e.Message, "unsafe");
        Assert.ThrowsExactly<ModelFormatException>(() => Load(ModelFiles.Build(manifest, tensors, false, ("/etc/passwd", [1]))));
    }

    [TestMethod]
    public void CorruptTensors_FailTheChecksum()
    {
        var (manifest, tensors) = Original();
        tensors[^1] ^= 0x40;
        var e = Assert.ThrowsExactly<ModelFormatException>(() => Load(ModelFiles.Build(manifest, tensors, false)));
        StringAssert.Contains(e.Message, "checksum");
    }

    [TestMethod]
    public void AbsurdTensorSizes_FailWithoutHugeAllocations()
    {
        var (manifest, tensors) = Original();
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(tensors);
        string header = Encoding.UTF8.GetString(tensors, 8, (int)headerLength);
        foreach (string evil in new[]
        {
            header.Replace("\"shape\":[", "\"shape\":[2000000000,2000000000,"),
            header.Replace("\"data_offsets\":[0,", "\"data_offsets\":[0,9000000000000000000"),
            header.Replace("\"F32\"", "\"F16\""),
        })
        {
            var padded = evil.PadRight((int)headerLength);
            var bytes = (byte[])tensors.Clone();
            if (Encoding.UTF8.GetByteCount(padded) == (int)headerLength) Encoding.UTF8.GetBytes(padded, bytes.AsSpan(8));
            else bytes = [.. BitConverter.GetBytes((ulong)Encoding.UTF8.GetByteCount(evil)), .. Encoding.UTF8.GetBytes(evil), .. tensors.AsSpan(8 + (int)headerLength)];
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.ThrowsExactly<ModelFormatException>(() => Load(ModelFiles.Build(manifest, bytes, true)));
            Assert.IsTrue(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "a hostile size claim must not allocate much");
        }
        var huge = (byte[])tensors.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(huge, ulong.MaxValue);
        var e = Assert.ThrowsExactly<ModelFormatException>(() => Load(ModelFiles.Build(manifest, huge, true)));
        StringAssert.Contains(e.Message, "header");
    }

    [TestMethod]
    public void TruncatedFiles_FailWithTheDocumentedException()
    {
        var ctx = ModelFiles.Context();
        var data = ModelFiles.Data(ctx);
        var bytes = ModelFiles.Save(ctx, ModelFiles.Model(ctx, data), data);
        for (int length = 0; length < bytes.Length; length += Math.Max(1, bytes.Length / 200))
            Assert.ThrowsExactly<ModelFormatException>(() => ctx.Model.Load(new MemoryStream(bytes, 0, length), out _), $"length {length}");
        Assert.ThrowsExactly<ModelFormatException>(() => ctx.Model.Load(new MemoryStream(Encoding.UTF8.GetBytes("not a zip")), out _));
    }

    [TestMethod]
    public void CustomColumnTypes_RegisterThemselves_AndRoundTripInSchemas()
    {
        var ctx = new MLContext(1);
        var data = new InMemoryDataViewBuilder().AddColumn("P", new PointDataViewType(), new[] { new Point(1, 2), new Point(3, 4) }).ToDataView();
        var model = ctx.Transforms.CopyColumns("Q", "P").Fit(data);
        using var stream = new MemoryStream();
        ctx.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(3).Model.Load(stream, out var schema);
        Assert.AreEqual(new PointDataViewType(), schema!["P"].Type);
        CollectionAssert.AreEqual(new[] { new Point(1, 2), new Point(3, 4) }, loaded.Transform(data).GetColumn<Point>("Q").ToArray());
    }

    [TestMethod]
    public void SavingAnUnregisteredComponent_FailsAtSaveTime()
    {
        var ctx = new MLContext(1);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ctx.Model.Save(new UnregisteredTransformer(), null, new MemoryStream()));
        StringAssert.Contains(e.Message, "nobody.knows");
    }

    private static (string Manifest, byte[] Tensors) Original()
    {
        var ctx = ModelFiles.Context();
        var data = ModelFiles.Data(ctx);
        return ModelFiles.Open(ModelFiles.Save(ctx, ModelFiles.Model(ctx, data), data));
    }

    private static ModelFormatException LoadRewritten(Func<string, string> rewrite, bool fixChecksum)
    {
        var (manifest, tensors) = Original();
        string changed = rewrite(manifest);
        Assert.AreNotEqual(manifest, changed, "the rewrite must change the manifest");
        return Assert.ThrowsExactly<ModelFormatException>(() => Load(ModelFiles.Build(changed, tensors, fixChecksum)));
    }

    private static ITransformer Load(byte[] bytes) => ModelFiles.Context().Model.Load(new MemoryStream(bytes), out _);

    private sealed class UnregisteredTransformer : ITransformer
    {
        public bool IsRowToRowMapper => false;

        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();

        public IDataView Transform(IDataView input) => input;

        public void Save(ModelSaveContext context) => context.SetComponent("nobody.knows", 1);
    }

    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
