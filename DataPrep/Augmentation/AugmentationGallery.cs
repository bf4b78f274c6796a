using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// Renders augmented versions of an image side by side (for notebooks and reports): cell 0 is the original, cells
/// 1..N the augmentations of examples 0..N-1 of epoch 0 under a seed, each fitted into a cell (aspect kept, centred) on
/// a white grid with a 4-pixel gutter.
/// </summary>
public static class AugmentationGallery
{
    private const int Gutter = 4;

    /// <summary>The grid as an RGB image, <paramref name="columns"/> cells wide, cells of <paramref name="cellSize"/> pixels.</summary>
    public static Image Render(Image image, IImageAugmentation augmentation, int count, int columns = 4, int cellSize = 160, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(augmentation);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellSize, 8);
        int cells = count + 1, rows = (cells + columns - 1) / columns, cols = Math.Min(columns, cells);
        var grid = new Image(Gutter + cols * (cellSize + Gutter), Gutter + rows * (cellSize + Gutter), 3);
        Array.Fill(grid.Pixels, (byte)255);
        for (int i = 0; i < cells; i++)
        {
            Image cell = image;
            if (i > 0)
            {
                var random = AugmentationRandom.ForExample(seed, 0, i - 1);
                cell = augmentation.Augment(image, ref random);
            }
            Place(grid, ImageOps.ConvertChannels(Fit(cell, cellSize), 3), Gutter + (i % columns) * (cellSize + Gutter), Gutter + (i / columns) * (cellSize + Gutter), cellSize);
        }
        return grid;
    }

    /// <summary>The grid encoded as PNG.</summary>
    public static byte[] RenderPng(Image image, IImageAugmentation augmentation, int count, int columns = 4, int cellSize = 160, ulong seed = 0) =>
        ImageCodecs.EncodePng(Render(image, augmentation, count, columns, cellSize, seed));

    /// <summary>Writes the grid to a PNG file.</summary>
    public static void SavePng(string path, Image image, IImageAugmentation augmentation, int count, int columns = 4, int cellSize = 160, ulong seed = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        IO.AtomicFile.WriteAllBytes(path, RenderPng(image, augmentation, count, columns, cellSize, seed));
    }

    private static Image Fit(Image image, int size)
    {
        int factor = size / Math.Max(image.Width, image.Height);
        // Small images (e.g. 28x28) are enlarged by a whole factor with nearest-neighbour sampling, so pixels stay crisp.
        if (factor >= 2) return ImageResizer.Resize(image, image.Width * factor, image.Height * factor, ResamplingFilter.Nearest);
        if (image.Width <= size && image.Height <= size) return image;
        double scale = Math.Min((double)size / image.Width, (double)size / image.Height);
        return ImageResizer.Resize(image, Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale)));
    }

    private static void Place(Image grid, Image cell, int x0, int y0, int size)
    {
        int ox = x0 + (size - cell.Width) / 2, oy = y0 + (size - cell.Height) / 2;
        for (int y = 0; y < cell.Height; y++) cell.Row(y).CopyTo(grid.Row(oy + y).Slice(ox * 3, cell.Width * 3));
    }
}
