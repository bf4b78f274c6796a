using System.Buffers.Binary;
using System.IO.Compression;
using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Sources;
using MlPipelines.Pipelines.Tests.Helpers;
using MlPipelines.Testing;

namespace MlPipelines.DataPrep.Tests.Pipelines;

[TestClass]
public sealed class SourceTests
{
    private readonly MLContext _ctx = new(seed: 1);

    [TestMethod]
    public void ImageFolder_LabelsAreSortedSubFolders_PathsRelative_ExtensionsFiltered_Recursive()
    {
        var img = ImageFiles.Pattern(2, 2);
        string root = ImageFiles.ClassFolders(("zebra", "b.png", img), ("zebra", "a.png", img), ("ant", "deep/x.png", img), ("ant", "y.png", img));
        File.WriteAllText(Path.Combine(root, "ant", "notes.txt"), "not an image");
        var view = _ctx.Data.LoadFromImageFolder(root);

        var rows = ViewReader.ReadAll(view, null, "ImagePath", "Label");
        var paths = rows.Select(r => (string)r[0]!).ToArray();
        var keys = rows.Select(r => (uint)r[1]!).ToArray();
        CollectionAssert.AreEqual(new[] { "ant/deep/x.png", "ant/y.png", "zebra/a.png", "zebra/b.png" }, paths);
        CollectionAssert.AreEqual(new uint[] { 1, 1, 2, 2 }, keys);
        CollectionAssert.AreEqual(new[] { "ant", "zebra" }, view.Schema["Label"].GetKeyValueNames()!.ToArray());
        Assert.AreEqual(new KeyDataViewType(typeof(uint), 2), view.Schema["Label"].Type);
        Assert.AreEqual(TextDataViewType.Instance, view.Schema["ImagePath"].Type);
    }

    [TestMethod]
    public void ImageFolder_NonRecursive_AbsolutePaths_AndCustomExtensions()
    {
        var img = ImageFiles.Pattern(2, 2);
        string root = ImageFiles.ClassFolders(("a", "deep/x.png", img), ("a", "y.png", img), ("b", "z.png", img));
        File.Copy(Path.Combine(root, "b", "z.png"), Path.Combine(root, "b", "w.img"));
        var view = _ctx.Data.LoadFromImageFolder(root, new ImageFolderOptions { Recursive = false, AbsolutePaths = true, Extensions = ["img", ".PNG"] });
        var paths = ViewReader.ReadAll(view, null, "ImagePath").Select(r => (string)r[0]!).ToArray();
        CollectionAssert.AreEqual(new[] { Path.Combine(root, "a", "y.png"), Path.Combine(root, "b", "w.img"), Path.Combine(root, "b", "z.png") }, paths);
    }

    [TestMethod]
    public void ImageFolder_SymbolicLinks_SkippedUnlessFollowed()
    {
        var img = ImageFiles.Pattern(2, 2);
        string root = ImageFiles.ClassFolders(("a", "y.png", img));
        string outside = ImageFiles.ClassFolders(("b", "z.png", img));
        Directory.CreateSymbolicLink(Path.Combine(root, "a", "linked"), Path.Combine(outside, "b"));
        Directory.CreateSymbolicLink(Path.Combine(root, "a", "loop"), Path.Combine(root, "a"));
        int Count(bool follow) => ViewReader.ReadAll(_ctx.Data.LoadFromImageFolder(root, new ImageFolderOptions { FollowSymbolicLinks = follow }), null, "ImagePath").Count;
        Assert.AreEqual(1, Count(false));
        Assert.AreEqual(2, Count(true), "the linked folder's image is added once; the loop back to the class folder is not walked again");
    }

    [TestMethod]
    public void ImageFolder_MissingRootEmptyRootAndEmptyClass_NameThePath()
    {
        string missing = Path.Combine(TestPaths.NewTempFolder("dataprep"), "nope");
        var e1 = Assert.ThrowsExactly<DirectoryNotFoundException>(() => _ctx.Data.LoadFromImageFolder(missing));
        StringAssert.Contains(e1.Message, missing);

        string empty = TestPaths.NewTempFolder("dataprep");
        var e2 = Assert.ThrowsExactly<InvalidDataException>(() => _ctx.Data.LoadFromImageFolder(empty));
        StringAssert.Contains(e2.Message, empty);

        string root = ImageFiles.ClassFolders(("a", "y.png", ImageFiles.Pattern(2, 2)));
        Directory.CreateDirectory(Path.Combine(root, "b"));
        File.WriteAllText(Path.Combine(root, "b", "readme.txt"), "x");
        var e3 = Assert.ThrowsExactly<InvalidDataException>(() => _ctx.Data.LoadFromImageFolder(root));
        StringAssert.Contains(e3.Message, Path.Combine(root, "b"));
    }

    [TestMethod]
    public void Manifest_CsvWithHeader_ResolvesRelativeToManifest_QuotedFields()
    {
        string folder = TestPaths.NewTempFolder("dataprep");
        string manifest = Path.Combine(folder, "list.csv");
        File.WriteAllLines(manifest, ["id,label,path", "1,dog,img/1.png", "2,\"cat, black\",\"img/2,x.png\"", "", "3,dog,/abs/3.png"]);
        var view = _ctx.Data.LoadFromImageManifest(manifest);
        var rows = ViewReader.ReadAll(view, null, "ImagePath", "Label");
        CollectionAssert.AreEqual(new[] { Path.Combine(folder, "img", "1.png"), Path.Combine(folder, "img", "2,x.png"), "/abs/3.png" },
            rows.Select(r => (string)r[0]!).ToArray());
        CollectionAssert.AreEqual(new[] { "cat, black", "dog" }, view.Schema["Label"].GetKeyValueNames()!.ToArray());
        CollectionAssert.AreEqual(new uint[] { 2, 1, 2 }, rows.Select(r => (uint)r[1]!).ToArray());
    }

    [TestMethod]
    public void Manifest_TsvWithoutHeader_FirstColumnPathSecondLabel()
    {
        string folder = TestPaths.NewTempFolder("dataprep");
        string manifest = Path.Combine(folder, "list.tsv");
        File.WriteAllLines(manifest, ["a.png\tb", "c.png\ta"]);
        var rows = ViewReader.ReadAll(_ctx.Data.LoadFromImageManifest(manifest), null, "ImagePath", "Label");
        Assert.AreEqual(Path.Combine(folder, "a.png"), rows[0][0]);
        CollectionAssert.AreEqual(new uint[] { 2, 1 }, rows.Select(r => (uint)r[1]!).ToArray());
    }

    [TestMethod]
    public void Manifest_EmptyMissingOrShortRows_NameTheFile()
    {
        string folder = TestPaths.NewTempFolder("dataprep");
        string empty = Path.Combine(folder, "empty.csv");
        File.WriteAllText(empty, "\n\n");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => _ctx.Data.LoadFromImageManifest(empty)).Message, empty);
        string headerOnly = Path.Combine(folder, "header.csv");
        File.WriteAllText(headerOnly, "path,label\n");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => _ctx.Data.LoadFromImageManifest(headerOnly)).Message, headerOnly);
        string shortRow = Path.Combine(folder, "short.csv");
        File.WriteAllText(shortRow, "a.png,x\nb.png\n");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => _ctx.Data.LoadFromImageManifest(shortRow)).Message, "row 2");
        string missing = Path.Combine(folder, "missing.csv");
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => _ctx.Data.LoadFromImageManifest(missing)).Message, missing);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void Idx_ImagesAndLabels_RawOrGzipped(bool gzip)
    {
        string folder = TestPaths.NewTempFolder("dataprep");
        // Three 3x2 (width x height) gray images: byte i of image n is 10n + i.
        var pixels = Enumerable.Range(0, 3).SelectMany(n => Enumerable.Range(0, 6).Select(i => (byte)(10 * n + i))).ToArray();
        string images = WriteIdx(Path.Combine(folder, "img.idx" + (gzip ? ".gz" : "")), [3, 2, 3], pixels, gzip);
        string labels = WriteIdx(Path.Combine(folder, "lab.idx" + (gzip ? ".gz" : "")), [3], [2, 0, 2], gzip);
        var view = _ctx.Data.LoadFromIdx(images, labels, ["zero", "one", "two"]);
        Assert.AreEqual(new ImageDataViewType(2, 3), view.Schema["Image"].Type);
        var rows = ViewReader.ReadAll(view, null, "Image", "Label");
        var second = (Image)rows[1][0]!;
        Assert.AreEqual((3, 2, 1), (second.Width, second.Height, second.Channels));
        CollectionAssert.AreEqual(new byte[] { 10, 11, 12, 13, 14, 15 }, second.Pixels);
        CollectionAssert.AreEqual(new uint[] { 3, 1, 3 }, rows.Select(r => (uint)r[1]!).ToArray());
        CollectionAssert.AreEqual(new[] { "zero", "one", "two" }, view.Schema["Label"].GetKeyValueNames()!.ToArray());

        var unnamed = _ctx.Data.LoadFromIdx(images, labels);
        CollectionAssert.AreEqual(new[] { "0", "1", "2" }, unnamed.Schema["Label"].GetKeyValueNames()!.ToArray());
        Assert.ThrowsExactly<InvalidDataException>(() => _ctx.Data.LoadFromIdx(images, labels, ["zero", "one"]));
        string fewer = WriteIdx(Path.Combine(folder, "lab2.idx"), [2], [0, 1], false);
        Assert.ThrowsExactly<InvalidDataException>(() => _ctx.Data.LoadFromIdx(images, fewer));
    }

    [TestMethod]
    public void FashionMnist_FromDebian_HasTheExpectedShape()
    {
        const string folder = "/usr/share/datasets/fashion-mnist";
        string images = Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), labels = Path.Combine(folder, "t10k-labels-idx1-ubyte.gz");
        Assert.IsTrue(File.Exists(images) && File.Exists(labels), "Fashion-MNIST is missing: test.sh installs Debian's dataset-fashion-mnist.");
        var view = _ctx.Data.LoadFromIdx(images, labels);
        Assert.AreEqual(10_000L, view.GetRowCount());
        Assert.AreEqual(new ImageDataViewType(28, 28), view.Schema["Image"].Type);
        Assert.AreEqual(10, view.Schema["Label"].GetKeyValueNames()!.Count);
    }

    [TestMethod]
    public void Cifar10_PlanarRecordsBecomeRgbImages_WithStandardNames()
    {
        string folder = TestPaths.NewTempFolder("dataprep");
        string file = Path.Combine(folder, "data_batch_1.bin");
        File.WriteAllBytes(file, [.. CifarRecord([7], 0), .. CifarRecord([1], 100)]);
        var view = _ctx.Data.LoadFromCifar([file]);
        Assert.AreEqual(new ImageDataViewType(32, 32), view.Schema["Image"].Type);
        var rows = ViewReader.ReadAll(view, null, "Image", "Label");
        CollectionAssert.AreEqual(new uint[] { 8, 2 }, rows.Select(r => (uint)r[1]!).ToArray());
        var img = (Image)rows[1][0]!;
        // Pixel (x=5, y=2) is plane index 2*32+5 = 69 in each of the R, G, B planes.
        int p = 69;
        CollectionAssert.AreEqual(new[] { PlaneByte(100, 0, p), PlaneByte(100, 1, p), PlaneByte(100, 2, p) }, img.Pixels[(3 * p)..(3 * p + 3)]);
        CollectionAssert.AreEqual(new[] { "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck" },
            view.Schema["Label"].GetKeyValueNames()!.ToArray());
    }

    [TestMethod]
    public void Cifar100_FineOrCoarseLabel_AndBadFilesNamed()
    {
        string folder = TestPaths.NewTempFolder("dataprep");
        string file = Path.Combine(folder, "train.bin");
        File.WriteAllBytes(file, CifarRecord([19, 99], 3));
        uint Key(CifarVariant v) => (uint)ViewReader.ReadAll(_ctx.Data.LoadFromCifar([file], v), null, "Label")[0][0]!;
        Assert.AreEqual(100u, Key(CifarVariant.Cifar100Fine));
        Assert.AreEqual(20u, Key(CifarVariant.Cifar100Coarse));
        Assert.AreEqual("worm", _ctx.Data.LoadFromCifar([file], CifarVariant.Cifar100Fine).Schema["Label"].GetKeyValueNames()![99]);
        Assert.AreEqual("vehicles_2", _ctx.Data.LoadFromCifar([file], CifarVariant.Cifar100Coarse).Schema["Label"].GetKeyValueNames()![19]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => _ctx.Data.LoadFromCifar([file], CifarVariant.Cifar10)).Message, file);
        string missing = Path.Combine(folder, "nope.bin");
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => _ctx.Data.LoadFromCifar([missing])).Message, missing);
    }

    [TestMethod]
    public void CifarNames_HaveTheStandardCounts_AndCifar100FineIsAlphabetical()
    {
        Assert.AreEqual(10, CifarClassNames.Cifar10.Count);
        Assert.AreEqual(100, CifarClassNames.Cifar100Fine.Count);
        Assert.AreEqual(20, CifarClassNames.Cifar100Coarse.Count);
        CollectionAssert.AreEqual(CifarClassNames.Cifar100Fine.Order(StringComparer.Ordinal).ToArray(), CifarClassNames.Cifar100Fine.ToArray());
        CollectionAssert.AreEqual(CifarClassNames.Cifar100Coarse.Order(StringComparer.Ordinal).ToArray(), CifarClassNames.Cifar100Coarse.ToArray());
        Assert.AreEqual(100, CifarClassNames.Cifar100Fine.Distinct().Count());
    }

    [TestMethod]
    public void Images_InMemory_KnownSizeWhenAllAgree()
    {
        var a = ImageFiles.Pattern(4, 3);
        var b = ImageFiles.Pattern(4, 3, seed: 5);
        var same = _ctx.Data.LoadFromImages([(a, "y"), (b, "x")]);
        Assert.AreEqual(new ImageDataViewType(3, 4), same.Schema["Image"].Type);
        var rows = ViewReader.ReadAll(same, null, "Image", "Label");
        Assert.AreSame(a, rows[0][0]);
        CollectionAssert.AreEqual(new uint[] { 2, 1 }, rows.Select(r => (uint)r[1]!).ToArray());
        var mixed = _ctx.Data.LoadFromImages([(a, "y"), (ImageFiles.Pattern(2, 2), "x")]);
        Assert.AreEqual(new ImageDataViewType(), mixed.Schema["Image"].Type);
        Assert.ThrowsExactly<ArgumentException>(() => _ctx.Data.LoadFromImages([]));
    }

    private static byte PlaneByte(int seed, int plane, int index) => (byte)((seed + plane * 1024 + index) * 13 % 251);

    private static byte[] CifarRecord(byte[] labels, int seed)
    {
        var record = new byte[labels.Length + 3072];
        labels.CopyTo(record, 0);
        for (int plane = 0; plane < 3; plane++)
            for (int i = 0; i < 1024; i++) record[labels.Length + plane * 1024 + i] = PlaneByte(seed, plane, i);
        return record;
    }

    private static string WriteIdx(string path, int[] dims, byte[] data, bool gzip)
    {
        using var buffer = new MemoryStream();
        buffer.Write([0, 0, 8, (byte)dims.Length]);
        foreach (int d in dims)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, d);
            buffer.Write(b);
        }
        buffer.Write(data);
        using var file = File.Create(path);
        if (gzip)
        {
            using var z = new GZipStream(file, CompressionLevel.Fastest);
            z.Write(buffer.ToArray());
        }
        else
        {
            file.Write(buffer.ToArray());
        }
        return path;
    }
}
