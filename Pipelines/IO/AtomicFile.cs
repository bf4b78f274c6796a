using System.Text;

namespace MlPipelines.IO;

/// <summary>
/// Writes files whole or not at all: into a temporary file beside the target (flushed to disk), then a rename over it, so
/// a reader or a crash sees the old content or the new, never a part. Every file the libraries and the tool write goes
/// through here.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes what <paramref name="write"/> puts into the stream to <paramref name="path"/>. A missing folder is an error
    /// (<see cref="DirectoryNotFoundException"/>) unless <paramref name="createFolder"/>.
    /// </summary>
    public static void Write(string path, Action<Stream> write, bool createFolder = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        if (createFolder) Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // The original failure matters more than a leftover temporary file.
            }
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>.</summary>
    public static void WriteAllBytes(string path, byte[] bytes, bool createFolder = false)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, s => s.Write(bytes), createFolder);
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text, bool createFolder = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text), createFolder);
    }
}
