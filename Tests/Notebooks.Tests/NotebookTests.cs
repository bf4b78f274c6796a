using System.Text.Json;
using MlPipelines.Testing;

namespace MlPipelines.Notebooks.Tests;

/// <summary>
/// Runs every notebook in notebooks/ cell by cell (see <see cref="NotebookRunner"/>) and checks the files themselves:
/// nbformat 4, the .NET C# kernel, no stored outputs, and #r paths pointing at the documented build folder.
/// </summary>
[TestClass]
public sealed class NotebookTests
{
    private static readonly string NotebookFolder = Path.Combine(TestPaths.RepositoryRoot, "notebooks");

    /// <summary>Where the notebooks' #r lines point: the build output of the CLI, which references every library (notebooks/README.md).</summary>
    private static readonly string DocumentedAssemblyFolder = Path.Combine(TestPaths.RepositoryRoot, "Cli", "bin", "Release", "net10.0");

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("01-quick-start.ipynb", 2, new[] { "micro accuracy", "Ankle boot", "reloaded model agrees on 1000 of 1000", "KiB of ONNX" })]
    [DataRow("02-augmentation-gallery.ipynb", 14, new[] { "RandomResizedCrop", "TrivialAugment", "MixUp", "CutMix" })]
    [DataRow("03-inside-the-cnn.ipynb", 3, new[] { "conv1 (Conv2d)", "Total params" })]
    [DataRow("04-evaluation.ipynb", 3, new[] { "Top-1", "ECE", "report.html" })]
    [DataRow("05-transfer.ipynb", 0, new[] { "pretrained LeNet-5", "feature extraction", "fine-tuning", "transfer gains over scratch", "after continuing on 3000 images", "KiB of ONNX" })]
    public async Task Notebook_RunsEveryCellInOrder(string name, int minimumImages, string[] expectedText)
    {
        var notebook = Notebook.Load(Path.Combine(NotebookFolder, name));
        var run = await new NotebookRunner(AppContext.BaseDirectory).RunAsync(notebook, NotebookFolder);
        foreach (var (cell, elapsed) in run.Timings) TestContext.WriteLine($"{name} cell {cell}: {elapsed.TotalSeconds:F1} s");
        TestContext.WriteLine($"{name}: {run.Timings.Sum(t => t.Elapsed.TotalSeconds):F1} s in all");
        // What the notebook showed, as one HTML page beside the test results, for a person to look at.
        string page = Path.Combine(TestContext.TestResultsDirectory ?? Path.GetTempPath(), Path.ChangeExtension(name, ".outputs.html"));
        Directory.CreateDirectory(Path.GetDirectoryName(page)!);
        File.WriteAllText(page, "<!DOCTYPE html><meta charset='utf-8'><body>" + string.Join("\n", run.Displayed.Select(d =>
            d is HtmlContent h ? h.Html : "<pre>" + System.Net.WebUtility.HtmlEncode(d?.ToString() ?? "") + "</pre>")) + "</body>");
        TestContext.AddResultFile(page);

        // Budget: about two minutes per notebook on two cores; twice that before failing, as the test machines are shared.
        double seconds = run.Timings.Sum(t => t.Elapsed.TotalSeconds);
        Assert.IsLessThan(240.0, seconds, $"{name} took {seconds:F0} s; keep the training in notebooks tiny");

        var images = run.Images();
        Assert.IsGreaterThanOrEqualTo(minimumImages, images.Count, $"{name} shows {images.Count} inline PNG picture(s)");
        foreach (var image in images) Assert.IsTrue(image.Width >= 8 && image.Height >= 8, $"{name}: a {image.Width}x{image.Height} picture is too small to show anything");
        foreach (string text in expectedText) StringAssert.Contains(run.Text, text, $"{name} should show '{text}'");
        if (name.StartsWith("04", StringComparison.Ordinal)) CheckReportAndCleanUp();
    }

    /// <summary>Notebook 4 writes the HTML report under the temporary folder, in a folder named after the process (this one).</summary>
    private static void CheckReportAndCleanUp()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"mlp-notebook-{Environment.ProcessId}");
        try
        {
            string html = File.ReadAllText(Path.Combine(folder, "report.html"));
            StringAssert.Contains(html, "<svg", "the report draws its charts inline");
            StringAssert.Contains(html, "data:image/png;base64,", "the report embeds its pictures");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void Notebooks_AreNbformat4WithTheCSharpKernelAndNoStoredOutputs()
    {
        string[] expected = ["01-quick-start.ipynb", "02-augmentation-gallery.ipynb", "03-inside-the-cnn.ipynb", "04-evaluation.ipynb", "05-transfer.ipynb"];
        var found = Directory.EnumerateFiles(NotebookFolder, "*.ipynb").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(expected, found, "the notebooks the test runs are exactly the ones in the folder");
        string readme = File.ReadAllText(Path.Combine(NotebookFolder, "README.md"));
        foreach (string path in found.Select(f => Path.Combine(NotebookFolder, f!)))
        {
            string name = Path.GetFileName(path);
            StringAssert.Contains(readme, name, "the README lists every notebook");
            using (var json = JsonDocument.Parse(File.ReadAllText(path)))
            {
                // The keys nbformat 4's schema requires (ids from minor version 5 on), and no execution counts.
                var root = json.RootElement;
                foreach (string key in new[] { "metadata", "nbformat", "nbformat_minor", "cells" })
                    Assert.IsTrue(root.TryGetProperty(key, out _), $"{name}: no top-level \"{key}\"");
                int minor = root.GetProperty("nbformat_minor").GetInt32();
                var ids = new HashSet<string>(StringComparer.Ordinal);
                foreach (var cell in root.GetProperty("cells").EnumerateArray())
                {
                    string type = cell.GetProperty("cell_type").GetString()!;
                    string[] required = type == "code" ? ["metadata", "source", "outputs", "execution_count"] : ["metadata", "source"];
                    foreach (string key in required) Assert.IsTrue(cell.TryGetProperty(key, out _), $"{name}: a {type} cell without \"{key}\"");
                    if (type == "code") Assert.AreEqual(JsonValueKind.Null, cell.GetProperty("execution_count").ValueKind, $"{name}: a code cell keeps an execution count");
                    if (minor >= 5)
                    {
                        string id = cell.TryGetProperty("id", out var i) ? i.GetString() ?? "" : "";
                        Assert.IsTrue(id.Length is >= 1 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'), $"{name}: cell id '{id}'");
                        Assert.IsTrue(ids.Add(id), $"{name}: cell id '{id}' is used twice");
                    }
                }
            }
            var notebook = Notebook.Load(path);
            Assert.AreEqual(4, notebook.Format, $"{name}: nbformat");
            Assert.AreEqual(".net-csharp", notebook.KernelName, $"{name}: kernel");
            Assert.AreEqual("C#", notebook.KernelLanguage, $"{name}: kernel language");
            Assert.IsTrue(notebook.Cells.Any(c => c.Type == "markdown"), $"{name} explains itself in markdown cells");
            Assert.IsTrue(notebook.Cells.Count(c => c.Type == "code") >= 3, $"{name} has code to run");
            foreach (var cell in notebook.Cells)
            {
                Assert.IsTrue(cell.Type is "code" or "markdown", $"{name}, cell {cell.Index}: type {cell.Type}");
                if (cell.Type == "code") Assert.AreEqual("csharp", cell.Language, $"{name}, cell {cell.Index}: dotnet_interactive language");
                Assert.AreEqual(0, cell.OutputCount, $"{name}, cell {cell.Index}: outputs are not stored (clear them before committing)");
            }
        }
    }

    [TestMethod]
    public void ReferenceDirectives_PointAtTheDocumentedBuildFolder_AndNameBuiltAssemblies()
    {
        foreach (string path in Directory.EnumerateFiles(NotebookFolder, "*.ipynb"))
        {
            var notebook = Notebook.Load(path);
            var first = notebook.Cells.First(c => c.Type == "code");
            var directives = first.Source.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("#r ", StringComparison.Ordinal)).ToList();
            Assert.IsNotEmpty(directives, $"{Path.GetFileName(path)}: the first code cell references the library");
            foreach (string directive in directives)
            {
                string target = directive[3..].Trim().Trim('"');
                string full = Path.GetFullPath(Path.Combine(NotebookFolder, target));
                Assert.AreEqual(DocumentedAssemblyFolder, Path.GetDirectoryName(full), $"{Path.GetFileName(path)}: {directive}");
                Assert.IsTrue(File.Exists(Path.Combine(AppContext.BaseDirectory, Path.GetFileName(full))), $"{directive} names an assembly the build produces");
            }
            var names = directives.Select(d => Path.GetFileNameWithoutExtension(d.Trim('"'))).ToList();
            foreach (string library in new[] { "MlPipelines.Engine", "MlPipelines.Pipelines", "MlPipelines.DataPrep" })
                CollectionAssert.Contains(names, library, $"{Path.GetFileName(path)} references {library}");
            Assert.IsFalse(notebook.Cells.Where(c => c.Index > first.Index).Any(c => c.Source.Split('\n').Any(l => l.TrimStart().StartsWith("#r ", StringComparison.Ordinal))),
                "references live in the first code cell only");
        }
    }
}
