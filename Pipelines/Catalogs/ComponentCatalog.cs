using System.Reflection;
using MlPipelines.Data;
using MlPipelines.Model;
using MlPipelines.Model.Format;
using MlPipelines.Transforms;

namespace MlPipelines;

/// <summary>
/// The components a context knows by name (ML.NET's ComponentCatalog): transformer loaders for model files (a name
/// and a function, no reflection over type names read from files), custom column types, and custom mapping
/// factories. Assemblies register their components through an <see cref="IComponentRegistrar"/> named by
/// <see cref="ComponentRegistrarAttribute"/>; they are found when a type or name is first needed (the type's own
/// assembly, or the loaded assemblies), or explicitly with <see cref="RegisterAssembly"/>. Thread-safe.
/// </summary>
public sealed class ComponentCatalog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Func<ModelLoadContext, ITransformer>> _loaders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CustomColumnType> _typesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, CustomColumnType> _typesByClrType = [];
    private readonly Dictionary<string, CustomMappingFactory> _mappingFactories = new(StringComparer.Ordinal);
    private readonly HashSet<Assembly> _scanned = [];

    internal ComponentCatalog()
    {
        RegisterTransformer(TransformerChain<ITransformer>.ComponentName, TransformerChainLoader.Load);
        RegisterTransformer(ValueToKeyMappingTransformer.ComponentName, ValueToKeyMappingTransformer.Load);
        RegisterTransformer(KeyToValueMappingTransformer.ComponentName, KeyToValueMappingTransformer.Load);
        RegisterTransformer(ColumnConcatenatingTransformer.ComponentName, ColumnConcatenatingTransformer.Load);
        RegisterTransformer(ColumnCopyingTransformer.ComponentName, ColumnCopyingTransformer.Load);
        RegisterTransformer(ColumnSelectingTransformer.ComponentName, ColumnSelectingTransformer.Load);
        RegisterTransformer(CustomMappingTransformerLoader.ComponentName, CustomMappingTransformerLoader.Load);
        _scanned.Add(typeof(ComponentCatalog).Assembly);
    }

    /// <summary>
    /// Registers how to load transformers saved under <paramref name="name"/> (what their Save passes to
    /// <see cref="ModelSaveContext.SetComponent"/>). Registering the same loader again is allowed; another loader for a taken name is not.
    /// </summary>
    public void RegisterTransformer(string name, Func<ModelLoadContext, ITransformer> loader)
    {
        if (!ModelNames.IsComponentName(name)) throw new ArgumentException($"Component name '{name}' must be 1-128 letters, digits, '.', '_' or '-'.", nameof(name));
        ArgumentNullException.ThrowIfNull(loader);
        lock (_lock)
        {
            if (_loaders.TryGetValue(name, out var existing) && !existing.Equals(loader))
                throw new ArgumentException($"Another loader is already registered for component '{name}'.", nameof(name));
            _loaders[name] = loader;
        }
    }

    /// <summary>Registers a custom column type (its name for model files and its CLR type for user classes must be unused).</summary>
    public void RegisterColumnType(CustomColumnType columnType)
    {
        ArgumentNullException.ThrowIfNull(columnType);
        if (!ModelNames.IsComponentName(columnType.Name))
            throw new ArgumentException($"Column type name '{columnType.Name}' must be 1-128 letters, digits, '.', '_' or '-'.", nameof(columnType));
        lock (_lock)
        {
            if (_typesByName.TryGetValue(columnType.Name, out var byName) && byName.GetType() != columnType.GetType())
                throw new ArgumentException($"Column type name '{columnType.Name}' is already registered.", nameof(columnType));
            if (_typesByClrType.TryGetValue(columnType.ClrType, out var byType) && byType.GetType() != columnType.GetType())
                throw new ArgumentException($"A column type for {columnType.ClrType.Name} is already registered.", nameof(columnType));
            _typesByName[columnType.Name] = columnType;
            _typesByClrType[columnType.ClrType] = columnType;
        }
    }

    /// <summary>Registers the factory that recreates saved custom mappings of <paramref name="contractName"/>.</summary>
    public void RegisterCustomMappingFactory(string contractName, CustomMappingFactory factory)
    {
        if (!ModelNames.IsComponentName(contractName))
            throw new ArgumentException($"Contract name '{contractName}' must be 1-128 letters, digits, '.', '_' or '-'.", nameof(contractName));
        ArgumentNullException.ThrowIfNull(factory);
        lock (_lock)
        {
            if (_mappingFactories.TryGetValue(contractName, out var existing) && existing.GetType() != factory.GetType())
                throw new ArgumentException($"Another factory is already registered for contract '{contractName}'.", nameof(contractName));
            _mappingFactories[contractName] = factory;
        }
    }

    /// <summary>
    /// Runs <paramref name="assembly"/>'s registrars and registers its custom mapping factories (non-abstract
    /// <see cref="CustomMappingFactory"/> classes marked <see cref="CustomMappingFactoryAttribute"/>), once.
    /// </summary>
    public void RegisterAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        RunRegistrars(assembly);
        foreach (var type in assembly.GetTypes())
        {
            var attribute = type.GetCustomAttribute<CustomMappingFactoryAttribute>();
            if (attribute is null || type.IsAbstract || !typeof(CustomMappingFactory).IsAssignableFrom(type)) continue;
            var factory = (CustomMappingFactory)(Activator.CreateInstance(type)
                ?? throw new InvalidOperationException($"Could not create {type.Name}."));
            RegisterCustomMappingFactory(attribute.ContractName, factory);
        }
    }

    /// <summary>The custom column type of values of <paramref name="clrType"/>, or null (looks in the type's assembly first).</summary>
    public CustomColumnType? FindColumnType(Type clrType)
    {
        ArgumentNullException.ThrowIfNull(clrType);
        lock (_lock)
        {
            if (_typesByClrType.TryGetValue(clrType, out var found)) return found;
        }
        RunRegistrars(clrType.Assembly);
        lock (_lock) return _typesByClrType.GetValueOrDefault(clrType);
    }

    /// <summary>The custom column type registered as <paramref name="name"/>, or null (looks in the loaded assemblies first).</summary>
    public CustomColumnType? FindColumnType(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Find(_typesByName, name);
    }

    /// <summary>Whether a loader is registered for <paramref name="name"/> (looking in the loaded assemblies).</summary>
    public bool HasTransformerLoader(string name) => FindTransformerLoader(name) is not null;

    internal Func<ModelLoadContext, ITransformer>? FindTransformerLoader(string name) => Find(_loaders, name);

    internal CustomMappingFactory? FindCustomMappingFactory(string contractName) => Find(_mappingFactories, contractName);

    private TValue? Find<TValue>(Dictionary<string, TValue> map, string name)
        where TValue : class
    {
        lock (_lock)
        {
            if (map.TryGetValue(name, out var found)) return found;
        }
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies()) RunRegistrars(assembly);
        lock (_lock)
        {
            if (map.TryGetValue(name, out var found)) return found;
        }
        // A component library the application references may not be loaded yet (nothing has touched its types):
        // load the application's references that build on this library, and look again.
        foreach (var assembly in ReferencedComponentLibraries.Value) RunRegistrars(assembly);
        lock (_lock) return map.GetValueOrDefault(name);
    }

    /// <summary>The entry assembly's reference closure, limited to assemblies that reference this library (loaded on first use).</summary>
    private static readonly Lazy<Assembly[]> ReferencedComponentLibraries = new(() =>
    {
        string self = typeof(ComponentCatalog).Assembly.GetName().Name!;
        var found = new List<Assembly>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<Assembly>();
        if (Assembly.GetEntryAssembly() is { } entry) pending.Enqueue(entry);
        while (pending.Count > 0)
        {
            var assembly = pending.Dequeue();
            var references = assembly.GetReferencedAssemblies();
            if (references.Any(r => r.Name == self)) found.Add(assembly);
            foreach (var reference in references)
            {
                if (reference.Name is null || !seen.Add(reference.Name) || reference.Name.StartsWith("System", StringComparison.Ordinal)
                    || reference.Name.StartsWith("Microsoft", StringComparison.Ordinal) || reference.Name == "netstandard" || reference.Name == self) continue;
                try
                {
                    pending.Enqueue(Assembly.Load(reference));
                }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // A reference that is not deployed cannot hold components we need.
                }
            }
        }
        return [.. found];
    });

    private void RunRegistrars(Assembly assembly)
    {
        lock (_lock)
        {
            if (!_scanned.Add(assembly)) return;
        }
        if (assembly.IsDynamic) return;
        foreach (var attribute in assembly.GetCustomAttributes<ComponentRegistrarAttribute>())
        {
            var registrar = (IComponentRegistrar)(Activator.CreateInstance(attribute.RegistrarType)
                ?? throw new InvalidOperationException($"Could not create {attribute.RegistrarType.Name}."));
            registrar.Register(this);
        }
    }
}
