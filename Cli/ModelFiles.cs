using MlPipelines.Data;
using MlPipelines.Model;
using MlPipelines.Trainers.ImageClassification;

namespace MlPipelines.Cli;

/// <summary>Opens model files for the commands, turning every way a file can be wrong into one line for the user.</summary>
internal static class ModelFiles
{
    /// <summary>Loads <paramref name="path"/> and finds its image classifier (the model itself or the last step of a chain).</summary>
    public static ImageClassificationTransformer LoadClassifier(string path) => FindClassifier(Load(path, out _), path);

    /// <summary>Loads a whole saved pipeline with its input schema.</summary>
    public static ITransformer Load(string path, out DataViewSchema? inputSchema)
    {
        if (!File.Exists(path)) throw new UserException($"Model file not found: {path}");
        try
        {
            return new MLContext().Model.Load(path, out inputSchema);
        }
        catch (ModelFormatException ex)
        {
            throw new UserException($"{path} is not a readable model file: {ex.Message}");
        }
    }

    public static ImageClassificationTransformer FindClassifier(ITransformer model, string path) => model switch
    {
        ImageClassificationTransformer t => t,
        IEnumerable<ITransformer> chain when chain.OfType<ImageClassificationTransformer>().LastOrDefault() is { } t => t,
        _ => throw new UserException($"{path} holds no image classifier."),
    };
}
