using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Transforms;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.DataPrep.Tests.Pipelines;

[TestClass]
public sealed class LoadImagesTests
{
    private readonly MLContext _ctx = new(seed: 1);

    [TestMethod]
    public void LoadImages_Workout_DecodesTheFilesOfTheFolder()
    {
        var a = ImageFiles.Pattern(4, 3);
        var b = ImageFiles.Pattern(5, 2, 1, seed: 3);
        string root = ImageFiles.ClassFolders(("a", "1.png", a), ("b", "2.png", b));
        var data = _ctx.Data.LoadFromImageFolder(root);
        var noPaths = _ctx.Data.LoadFromImages([(a, "x")]);
        var numericPaths = new InMemoryDataViewBuilder().AddColumn("ImagePath", [1f]).ToDataView();
        var transformer = EstimatorWorkout.Run(_ctx, _ctx.Transforms.LoadImages("Image", root, "ImagePath"), data, noPaths, numericPaths);

        var output = transformer.Transform(data);
        Assert.AreEqual(new ImageDataViewType(), output.Schema["Image"].Type);
        var images = ViewReader.ReadAll(output, null, "Image").Select(r => (Image)r[0]!).ToArray();
        Assert.AreEqual(a, images[0]);
        Assert.AreEqual(b, images[1]);
        Assert.AreEqual(2, transformer.Report.FilesChecked);
        Assert.AreEqual(0, transformer.Report.BadCount);
    }

    [TestMethod]
    public void LoadImages_IsLazy_FilesAreOpenedOnlyWhenTheirImageIsRead()
    {
        string root = ImageFiles.ClassFolders(("a", "1.png", ImageFiles.Pattern(2, 2)), ("b", "2.png", ImageFiles.Pattern(2, 2)));
        var data = _ctx.Data.LoadFromImageFolder(root);
        var transformer = _ctx.Transforms.LoadImages("Image", root, "ImagePath").Fit(data);
        File.Delete(Path.Combine(root, "b", "2.png"));
        var output = transformer.Transform(data);
        Assert.AreEqual(2, ViewReader.ReadAll(output, null, "Label", "ImagePath").Count, "reading other columns never opens a file");
        using var cursor = output.GetRowCursor([output.Schema["Image"]]);
        var getter = cursor.GetGetter<Image>(output.Schema["Image"]);
        Image image = null!;
        Assert.IsTrue(cursor.MoveNext());
        getter(ref image);
        Assert.IsTrue(cursor.MoveNext());
        var e = Assert.Throws<IOException>(() => getter(ref image));
        StringAssert.Contains(e.Message, "2.png");
    }

    [TestMethod]
    public void FailPolicy_FitListsEveryBadFile_BeforeAnyTraining()
    {
        string root = ImageFiles.ClassFolders(("a", "1.png", ImageFiles.Pattern(2, 2)), ("b", "2.png", ImageFiles.Pattern(2, 2)));
        File.WriteAllText(Path.Combine(root, "b", "bad.png"), "this is not a PNG");
        File.WriteAllBytes(Path.Combine(root, "a", "cut.png"), File.ReadAllBytes(Path.Combine(root, "a", "1.png"))[..40]);
        var data = _ctx.Data.LoadFromImageFolder(root);
        var e = Assert.ThrowsExactly<BadImageFilesException>(() => _ctx.Transforms.LoadImages("Image", root, "ImagePath").Fit(data));
        CollectionAssert.AreEqual(new[] { "a/cut.png", "b/bad.png" }, e.BadFiles.Select(b => b.Path).ToArray());
        StringAssert.Contains(e.Message, "a/cut.png");
        StringAssert.Contains(e.Message, "b/bad.png");
        StringAssert.Contains(e.Message, "2 of 4");

        var unchecked_ = _ctx.Transforms.LoadImages(new ImageLoadingEstimator.Options { ImageFolder = root, ValidateOnFit = false }).Fit(data);
        Assert.AreEqual(0, unchecked_.Report.FilesChecked);
    }

    [TestMethod]
    public void SkipPolicy_DropsBadRows_LogsAndReportsThem()
    {
        var good = ImageFiles.Pattern(3, 2);
        string root = ImageFiles.ClassFolders(("a", "1.png", good), ("b", "2.png", good));
        File.WriteAllText(Path.Combine(root, "b", "bad.png"), "garbage");
        var messages = new List<string>();
        var ctx = new MLContext(new MLContextOptions { Seed = 1, Log = e => { lock (messages) messages.Add(e.Message); } });
        var data = ctx.Data.LoadFromImageFolder(root);
        var transformer = ctx.Transforms.LoadImages("Image", root, "ImagePath", BadImagePolicy.Skip).Fit(data);

        Assert.AreEqual(3, transformer.Report.FilesChecked);
        Assert.AreEqual("b/bad.png", transformer.Report.BadFiles.Single().Path);
        Assert.IsTrue(messages.Any(m => m.Contains("b/bad.png", StringComparison.Ordinal)), "the skipped path is logged");
        var rows = ViewReader.ReadAll(transformer.Transform(data), null, "ImagePath", "Image");
        CollectionAssert.AreEqual(new[] { "a/1.png", "b/2.png" }, rows.Select(r => (string)r[0]!).ToArray());
        Assert.AreEqual(good, rows[1][1]);
        var set = transformer.Transform(data).GetRowCursorSet([transformer.Transform(data).Schema["ImagePath"]], 2);
        int total = 0;
        foreach (var c in set)
            using (c)
                while (c.MoveNext()) total++;
        Assert.AreEqual(2, total, "cursor sets drop the same rows");

        using var stream = new MemoryStream();
        ctx.Model.Save(transformer, data.Schema, stream);
        stream.Position = 0;
        var loaded = (ImageLoadingTransformer)ctx.Model.Load(stream, out _);
        Assert.AreEqual("b/bad.png", loaded.Report.BadFiles.Single().Path);
        Assert.AreEqual(2, ViewReader.ReadAll(loaded.Transform(data), null, "ImagePath").Count);
    }

    [TestMethod]
    public void Manifest_ThenLoadImages_WithAbsolutePaths()
    {
        string root = ImageFiles.ClassFolders(("x", "1.png", ImageFiles.Pattern(2, 3)));
        string manifest = Path.Combine(root, "list.csv");
        File.WriteAllLines(manifest, ["path,label", "x/1.png,cat"]);
        var data = _ctx.Data.LoadFromImageManifest(manifest);
        var output = _ctx.Transforms.LoadImages("Image", null, "ImagePath").Fit(data).Transform(data);
        Assert.AreEqual(ImageFiles.Pattern(2, 3), ViewReader.ReadAll(output, null, "Image")[0][0]);
    }

    [TestMethod]
    public void Validate_ChecksOtherData_WithoutChangingTheTransformer()
    {
        string root = ImageFiles.ClassFolders(("a", "1.png", ImageFiles.Pattern(2, 2)), ("b", "2.png", ImageFiles.Pattern(2, 2)));
        var train = _ctx.Data.LoadFromImageFolder(root);
        var transformer = _ctx.Transforms.LoadImages("Image", root, "ImagePath").Fit(train);
        var test = new InMemoryDataViewBuilder().AddColumn("ImagePath", ["a/1.png", "a/missing.png", "", "a/1.png"]).ToDataView();
        var report = transformer.Validate(test, degreeOfParallelism: 2);
        Assert.AreEqual(4, report.FilesChecked);
        CollectionAssert.AreEqual(new[] { "a/missing.png", "" }, report.BadFiles.Select(b => b.Path).ToArray());
        StringAssert.Contains(report.BadFiles[0].Reason, Path.Combine(root, "a", "missing.png"));
        Assert.AreEqual(0, transformer.Report.BadCount);
        Assert.ThrowsExactly<SchemaMismatchException>(() => transformer.Validate(new InMemoryDataViewBuilder().AddColumn("Other", [1f]).ToDataView()));
    }
}
