using MlPipelines.Model;

namespace MlPipelines;

/// <summary>Something that writes itself into a model file.</summary>
public interface ICanSaveModel
{
    /// <summary>
    /// Writes the component's registered name, version, options, tensors and children to <paramref name="context"/>.
    /// Throws <see cref="InvalidOperationException"/> when the component cannot be saved.
    /// </summary>
    void Save(ModelSaveContext context);
}
