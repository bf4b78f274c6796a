using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace MlPipelines.Notebooks.Tests;

/// <summary>
/// Runs a notebook's C# code cells in order as one Roslyn script session (each cell continues the state of the ones before,
/// as in a .NET Interactive kernel). A <c>#r "path/Name.dll"</c> line is replaced by a reference to Name.dll in
/// <paramref name="assemblyFolder"/> (where the test's build put the library assemblies), so a notebook runs against the
/// code under test wherever its #r paths point. Other directives (<c>#!...</c> magics, <c>#r "nuget:..."</c>) are refused:
/// the notebooks must run offline on the bundled build.
/// </summary>
internal sealed partial class NotebookRunner(string assemblyFolder)
{
    /// <summary>Namespaces a .NET Interactive C# kernel opens by default (the notebooks open the rest themselves).</summary>
    private static readonly string[] DefaultImports = ["System", "System.Collections.Generic", "System.Linq", "System.Text", "System.Threading.Tasks"];

    public async Task<NotebookRun> RunAsync(Notebook notebook, string workingDirectory)
    {
        var globals = new NotebookGlobals();
        var options = ScriptOptions.Default
            .WithReferences(FrameworkReferences())
            .WithImports(DefaultImports)
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithEmitDebugInformation(false);
        ScriptState<object>? state = null;
        var timings = new List<(int Cell, TimeSpan Elapsed)>();
        string previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(workingDirectory);
        try
        {
            foreach (var cell in notebook.Cells.Where(c => c.IsCSharpCode))
            {
                var (code, references) = SplitDirectives(cell, notebook.Path);
                if (references.Count > 0) options = options.AddReferences(references.Select(r => MetadataReference.CreateFromFile(r)));
                if (string.IsNullOrWhiteSpace(code)) continue;
                globals.CurrentCell = cell.Index;
                var clock = Stopwatch.StartNew();
                try
                {
                    state = state is null
                        ? await CSharpScript.RunAsync(code, options, globals, typeof(NotebookGlobals)).ConfigureAwait(false)
                        : await state.ContinueWithAsync(code, options).ConfigureAwait(false);
                }
                catch (CompilationErrorException ex)
                {
                    throw new NotebookCellException(notebook.Path, cell.Index, "does not compile:\n" + string.Join("\n", ex.Diagnostics), ex);
                }
                catch (Exception ex)
                {
                    throw new NotebookCellException(notebook.Path, cell.Index, $"threw {ex.GetType().Name}: {ex.Message}", ex);
                }
                timings.Add((cell.Index, clock.Elapsed));
                // A cell ending in an expression shows its value, as in the notebook front end.
                if (state.ReturnValue is not null) globals.Record(state.ReturnValue);
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
        return new NotebookRun(globals.Displayed, timings);
    }

    /// <summary>The cell's code without its directive lines, and the assemblies its #r lines name (resolved in the assembly folder).</summary>
    internal (string Code, List<string> References) SplitDirectives(NotebookCell cell, string notebookPath)
    {
        var code = new List<string>();
        var references = new List<string>();
        foreach (string line in cell.Source.Split('\n'))
        {
            string trimmed = line.Trim();
            if (!trimmed.StartsWith('#') || trimmed.StartsWith("#region", StringComparison.Ordinal) || trimmed.StartsWith("#endregion", StringComparison.Ordinal)
                || trimmed.StartsWith("#pragma", StringComparison.Ordinal) || trimmed.StartsWith("#nullable", StringComparison.Ordinal))
            {
                code.Add(line);
                continue;
            }
            var match = ReferenceDirective().Match(trimmed);
            if (!match.Success)
                throw new NotebookCellException(notebookPath, cell.Index, $"has a directive the test cannot honour offline: {trimmed}");
            string target = match.Groups["path"].Value;
            if (target.Contains(':', StringComparison.Ordinal) || !target.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                throw new NotebookCellException(notebookPath, cell.Index, $"references something other than a built assembly: {trimmed}");
            string local = Path.Combine(assemblyFolder, Path.GetFileName(target));
            if (!File.Exists(local))
                throw new NotebookCellException(notebookPath, cell.Index, $"references {Path.GetFileName(target)}, which the build did not put in {assemblyFolder}.");
            references.Add(local);
            code.Add("");   // keeps line numbers in compiler messages equal to the cell's
        }
        return (string.Join('\n', code), references);
    }

    /// <summary>The shared framework's assemblies (what a .NET Interactive kernel can use without #r).</summary>
    private static IEnumerable<MetadataReference> FrameworkReferences()
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return Directory.EnumerateFiles(framework, "*.dll")
            .Where(IsManagedAssembly)
            .Select(p => MetadataReference.CreateFromFile(p));
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    [GeneratedRegex("""^#r\s+"(?<path>[^"]+)"\s*$""")]
    private static partial Regex ReferenceDirective();
}
