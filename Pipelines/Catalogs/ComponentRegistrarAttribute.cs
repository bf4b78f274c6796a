namespace MlPipelines;

/// <summary>Names an assembly's <see cref="IComponentRegistrar"/> so that its components register themselves.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class ComponentRegistrarAttribute : Attribute
{
    /// <summary>Declares <paramref name="registrarType"/> (an <see cref="IComponentRegistrar"/>) as a registrar of this assembly.</summary>
    public ComponentRegistrarAttribute(Type registrarType)
    {
        ArgumentNullException.ThrowIfNull(registrarType);
        if (!typeof(IComponentRegistrar).IsAssignableFrom(registrarType))
            throw new ArgumentException($"{registrarType.Name} does not implement IComponentRegistrar.", nameof(registrarType));
        RegistrarType = registrarType;
    }

    /// <summary>The registrar type.</summary>
    public Type RegistrarType { get; }
}
