using System.Text.Json;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.Testing;

namespace MlPipelines.Notebooks.Tests;

/// <summary>The runner itself: it must fail where a notebook would fail for a user, or the notebook tests prove nothing.</summary>
[TestClass]
public sealed class NotebookRunnerTests
{
    private readonly List<string> _folders = [];

    [TestCleanup]
    public void DeleteFolders()
    {
        foreach (string folder in _folders) Directory.Delete(folder, recursive: true);
    }

    private Notebook Write(params string[] codeCells)
    {
        string folder = TestPaths.NewTempFolder("nb");
        _folders.Add(folder);
        var cells = new List<object> { new { cell_type = "markdown", metadata = new { }, source = new[] { "# test\n" } } };
        cells.AddRange(codeCells.Select(code => (object)new
        {
            cell_type = "code", execution_count = (int?)null, metadata = new { dotnet_interactive = new { language = "csharp" } },
            outputs = Array.Empty<object>(), source = code.Split('\n').Select(l => l + "\n").ToArray(),
        }));
        string path = Path.Combine(folder, "t.ipynb");
        File.WriteAllText(path, JsonSerializer.Serialize(new { cells, metadata = new { kernelspec = new { name = ".net-csharp", language = "C#" } }, nbformat = 4, nbformat_minor = 5 }));
        return Notebook.Load(path);
    }

    private static Task<NotebookRun> Run(Notebook notebook) => new NotebookRunner(AppContext.BaseDirectory).RunAsync(notebook, Path.GetTempPath());

    [TestMethod]
    public async Task StateCarriesFromCellToCell_AndDisplaysAreRecorded()
    {
        var run = await Run(Write("#r \"../Cli/bin/Release/net10.0/MlPipelines.DataPrep.dll\"\nusing MlPipelines.DataPrep.Imaging;\nint x = 20;", "display(x + 1);\nvar img = new Image(2, 2, 1);", "img.Width * x"));
        Assert.AreEqual("21\n40", run.Text, "display(x + 1), then the last cell's value");
        Assert.HasCount(3, run.Timings, "one timing per code cell");
    }

    [TestMethod]
    public async Task AThrowingCell_FailsNamingTheCell()
    {
        var ex = await Assert.ThrowsExactlyAsync<NotebookCellException>(() => Run(Write("int a = 1;", "throw new InvalidOperationException(\"boom\");", "a++;")));
        Assert.AreEqual(2, ex.Cell, "cell 0 is markdown, the throwing code is cell 2");
        StringAssert.Contains(ex.Message, "boom");
    }

    [TestMethod]
    public async Task ACompileError_Fails()
    {
        var ex = await Assert.ThrowsExactlyAsync<NotebookCellException>(() => Run(Write("int a = \"text\";")));
        StringAssert.Contains(ex.Message, "does not compile");
    }

    [TestMethod]
    public async Task DirectivesThatCannotRunOffline_AreRefused()
    {
        await Assert.ThrowsExactlyAsync<NotebookCellException>(() => Run(Write("#r \"nuget: Newtonsoft.Json\"")));
        await Assert.ThrowsExactlyAsync<NotebookCellException>(() => Run(Write("#r \"../somewhere/NotBuilt.dll\"")));
        await Assert.ThrowsExactlyAsync<NotebookCellException>(() => Run(Write("#!fsharp\nlet x = 1")));
    }

    [TestMethod]
    public async Task InlinePngs_AreDecoded_AndABrokenOneFails()
    {
        string png = Convert.ToBase64String(ImageCodecs.EncodePng(new Image(9, 8, 3)));
        var run = await Run(Write($"display(HTML(\"<p>x</p><img src='data:image/png;base64,{png}'/>\"));"));
        var images = run.Images();
        Assert.HasCount(1, images);
        Assert.AreEqual((9, 8), (images[0].Width, images[0].Height));

        var broken = await Run(Write("display(HTML(\"<img src='data:image/png;base64,AAAA'/>\"));"));
        Assert.ThrowsExactly<ImageFormatException>(() => broken.Images());
    }
}
