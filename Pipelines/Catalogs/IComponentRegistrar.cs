namespace MlPipelines;

/// <summary>
/// Registers an assembly's components (transformer loaders, custom column types, custom mapping factories) in a
/// <see cref="ComponentCatalog"/>. Declare it with <c>[assembly: ComponentRegistrar(typeof(MyRegistrar))]</c>; the
/// catalog runs it when it first meets a type or name it does not know. It needs a public parameterless constructor.
/// </summary>
public interface IComponentRegistrar
{
    /// <summary>Registers the assembly's components.</summary>
    void Register(ComponentCatalog catalog);
}
