using System.Reflection;
using MlPipelines.Internal;

namespace MlPipelines.Data.Binding;

/// <summary>
/// The columns of a user's row class: public fields and properties in declaration order (fields first), named by
/// [ColumnName], typed by the member type with [VectorType], [KeyType] and [KeyValues]; registered custom types
/// come from the <see cref="ComponentCatalog"/>. An optional schema overrides types and annotations of
/// same-named columns whose values have the same raw type (e.g. a model's input schema with vector sizes).
/// </summary>
internal sealed class RowBinding<TRow>
{
    private RowBinding(List<MemberBinding<TRow>> members)
    {
        Members = members;
        Schema = new DataViewSchema.Builder()
            .AddColumns(members.Select(m => new DataViewSchema.DetachedColumn(m.ColumnName, m.Type, m.Annotations)))
            .ToSchema();
    }

    public IReadOnlyList<MemberBinding<TRow>> Members { get; }

    /// <summary>The schema of the readable members.</summary>
    public DataViewSchema Schema { get; }

    /// <summary>Binds the readable (<paramref name="forWriting"/> false) or writable members of <typeparamref name="TRow"/>.</summary>
    public static RowBinding<TRow> Create(ComponentCatalog? catalog, bool forWriting, DataViewSchema? overrides = null)
    {
        var members = new List<MemberBinding<TRow>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in ColumnMembers(typeof(TRow)))
        {
            var binding = Bind(member, catalog, overrides);
            if (forWriting ? !binding.CanWrite : !binding.CanRead) continue;
            if (!names.Add(binding.ColumnName))
                throw new ArgumentException($"Two members of {typeof(TRow).Name} map to column '{binding.ColumnName}'.", nameof(TRow));
            members.Add(binding);
        }
        return new RowBinding<TRow>(members);
    }

    private static IEnumerable<MemberInfo> ColumnMembers(Type type)
    {
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance;
        var fields = type.GetFields(Flags).OrderBy(f => f.MetadataToken).Cast<MemberInfo>();
        var properties = type.GetProperties(Flags).Where(p => p.GetIndexParameters().Length == 0).OrderBy(p => p.MetadataToken);
        return fields.Concat(properties).Where(m => m.GetCustomAttribute<NoColumnAttribute>() is null);
    }

    private static MemberBinding<TRow> Bind(MemberInfo member, ComponentCatalog? catalog, DataViewSchema? overrides)
    {
        Type memberType = member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;
        string name = member.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? member.Name;
        var (type, rawType, converter) = TypeMapping.Map(memberType, member, catalog)
            ?? throw new ArgumentException(
                $"{typeof(TRow).Name}.{member.Name} of type {TypeNames.Of(memberType)} has no column type: use a number, bool, string, " +
                "an array of those, a registered custom type, or mark it [NoColumn].", nameof(TRow));
        var annotations = DataViewSchema.Annotations.Empty;
        var keyValues = member.GetCustomAttribute<KeyValuesAttribute>();
        if (keyValues is not null)
        {
            if (type is not KeyDataViewType key || (ulong)keyValues.Names.Count != key.Count)
                throw new ArgumentException($"{typeof(TRow).Name}.{member.Name}: [KeyValues] needs a [KeyType] with as many categories as names.", nameof(TRow));
            annotations = new DataViewSchema.Annotations.Builder().AddKeyValues(keyValues.Names).ToAnnotations();
        }
        if (overrides?.GetColumnOrNull(name) is { } o && o.Type.RawType == type.RawType)
        {
            type = o.Type;
            annotations = o.Annotations;
        }
        var bindingType = typeof(MemberBinding<,,>).MakeGenericType(typeof(TRow), memberType, rawType);
        return (MemberBinding<TRow>)Activator.CreateInstance(bindingType, name, type, annotations, member, converter)!;
    }
}
