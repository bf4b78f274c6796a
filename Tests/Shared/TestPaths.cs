using System.Reflection;

namespace MlPipelines.Testing;

/// <summary>Locations tests read from, independent of where the build put the test assembly.</summary>
internal static class TestPaths
{
    /// <summary>The repository root, recorded at build time (Directory.Build.props).</summary>
    public static string RepositoryRoot { get; } =
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value
        ?? throw new InvalidOperationException("RepositoryRoot assembly metadata is missing.");

    /// <summary>The bundled sample dataset folder.</summary>
    public static string DataFolder => Path.Combine(RepositoryRoot, "data");

    /// <summary>A fresh empty temporary folder, deleted by the caller or at process exit by the OS's tmp cleaning.</summary>
    public static string NewTempFolder(string prefix)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlp-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
