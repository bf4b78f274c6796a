using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.Testing;

namespace MlPipelines.DataPrep.Tests.Pipelines;

/// <summary>Small images with known pixels, and temporary folders of image files for the source and transform tests.</summary>
internal static class ImageFiles
{
    /// <summary>A w x h x c image whose byte at index i is (i * 7 + seed) mod 256.</summary>
    public static Image Pattern(int width, int height, int channels = 3, int seed = 0)
    {
        var image = new Image(width, height, channels);
        for (int i = 0; i < image.Pixels.Length; i++) image.Pixels[i] = (byte)((i * 7 + seed) % 256);
        return image;
    }

    /// <summary>A folder with one sub-folder per class, each holding the given images as PNG files; returns the root.</summary>
    public static string ClassFolders(params (string Class, string File, Image Image)[] files)
    {
        string root = TestPaths.NewTempFolder("dataprep");
        foreach (var (cls, file, image) in files)
        {
            string path = Path.Combine(root, cls, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ImageCodecs.SavePng(image, path);
        }
        return root;
    }
}
