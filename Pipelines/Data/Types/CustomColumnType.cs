using System.Reflection;

namespace MlPipelines.Data;

/// <summary>
/// Describes a custom column type to the pipeline (the counterpart of ML.NET's DataViewTypeManager
/// registration): which CLR type its values have, the <see cref="StructuredDataViewType"/> a member of
/// a user's class gets, the persisted name and argument used in model files, and optionally how values
/// are written to an on-disk cache. Register an instance with <see cref="ComponentCatalog.RegisterColumnType"/>,
/// usually from an <see cref="IComponentRegistrar"/> so that the type registers itself.
/// Derive from <see cref="CustomColumnType{TValue}"/>.
/// </summary>
public abstract class CustomColumnType
{
    private protected CustomColumnType()
    {
    }

    /// <summary>The persisted name (letters, digits, '.', '_', '-'), e.g. "mlp.image".</summary>
    public abstract string Name { get; }

    /// <summary>The CLR type of the values.</summary>
    public abstract Type ClrType { get; }

    /// <summary>Whether values can be written to an on-disk cache (<see cref="CustomColumnType{TValue}.Serialize"/>).</summary>
    public virtual bool CanSerialize => false;

    /// <summary>
    /// The column type for a field or property of a user's class (read its attributes, e.g. an image size),
    /// or the default type when <paramref name="member"/> is null.
    /// </summary>
    public abstract StructuredDataViewType CreateType(MemberInfo? member);

    /// <summary>The argument that, given to <see cref="ParseType"/>, recreates <paramref name="type"/> (e.g. "224x224"); empty by default.</summary>
    public virtual string FormatType(StructuredDataViewType type) => string.Empty;

    /// <summary>Recreates a type from a model file's argument (untrusted: throw on anything unexpected).</summary>
    public virtual StructuredDataViewType ParseType(string argument) => CreateType(null);
}
