namespace MlPipelines.Trainers.ImageClassification;

/// <summary>
/// One cut of a transfer, saved with the model so it can be rebuilt: the source network (the architecture with
/// <paramref name="SourceClasses"/> classes, after any earlier cuts) kept up to the output of <paramref name="Layer"/>, then
/// pooling, flattening and a new head (<paramref name="HiddenUnits"/> 0: linear; else an MLP with that hidden layer and
/// <paramref name="Dropout"/>).
/// </summary>
internal sealed record NetworkCut(string Layer, int SourceClasses, int HiddenUnits, float Dropout);
