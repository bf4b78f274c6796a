using System.CommandLine;
using MlPipelines.DataPrep.Augmentation;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.Cli;

/// <summary>`mlp augment`: renders augmented versions of one image into a PNG grid, to see what an augmentation does before training with it.</summary>
internal static class AugmentCommand
{
    private static readonly string[] Presets = ["flip-crop", "resized-crop", "color", "affine", "blur-erase", "randaugment", "trivialaugment", "all"];

    public static Command Create()
    {
        var image = new Option<string>("--image") { Description = "The image file", Required = true };
        var output = new Option<string>("--output") { Description = "The PNG grid to write", DefaultValueFactory = _ => "augmented.png" };
        var preset = new Option<string>("--preset") { Description = string.Join(", ", Presets), DefaultValueFactory = _ => "all" };
        var count = new Option<int>("--count") { Description = "Augmented versions (the original comes first)", DefaultValueFactory = _ => 15 };
        var columns = new Option<int>("--columns") { Description = "Grid columns", DefaultValueFactory = _ => 4 };
        var cell = new Option<int>("--cell-size") { Description = "Pixels per grid cell", DefaultValueFactory = _ => 160 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random draws", DefaultValueFactory = _ => 1UL };
        var command = new Command("augment", "Preview an augmentation on an image as a PNG grid") { image, output, preset, count, columns, cell, seed };
        command.SetAction(parse => Run(parse.GetValue(image)!, parse.GetValue(output)!, parse.GetValue(preset)!, parse.GetValue(count), parse.GetValue(columns),
            parse.GetValue(cell), parse.GetValue(seed)));
        return command;
    }

    private static int Run(string imagePath, string output, string preset, int count, int columns, int cellSize, ulong seed)
    {
        if (!File.Exists(imagePath)) throw new UserException($"Image not found: {imagePath}");
        if (count < 1 || count > 256 || columns < 1 || cellSize < 16 || cellSize > 1024)
            throw new UserException("--count must lie in 1..256, --columns be positive and --cell-size lie in 16..1024.");
        Image image = ImageCodecs.Decode(File.ReadAllBytes(imagePath), imagePath);
        IImageAugmentation augmentation = preset switch
        {
            "flip-crop" => new Compose(new RandomFlip(), new RandomCrop(image.Width, image.Height, Math.Max(1, image.Width / 8))),
            "resized-crop" => new RandomResizedCrop(image.Width, image.Height),
            "color" => new ColorJitter(0.4, 0.4, 0.4, 0.1),
            "affine" => new RandomAffine(20, (0.1, 0.1), (0.8, 1.2)),
            "blur-erase" => new Compose(new RandomGaussianBlur((0.1, 2.0), 0.5), new RandomErasing(0.7)),
            "randaugment" => new RandAugment(),
            "trivialaugment" => new TrivialAugment(),
            "all" => new Compose(new RandomResizedCrop(image.Width, image.Height, (0.5, 1.0)), new RandomFlip(), new ColorJitter(0.3, 0.3, 0.3, 0.05), new RandomErasing(0.3)),
            _ => throw new UserException($"Unknown preset '{preset}'. Choose one of: {string.Join(", ", Presets)}."),
        };
        AugmentationGallery.SavePng(output, image, augmentation, count, columns, cellSize, seed);
        Console.WriteLine($"Wrote {count} augmented versions of {imagePath} ({preset}) to {output}.");
        return 0;
    }
}
