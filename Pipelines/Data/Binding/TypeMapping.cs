using System.Reflection;

namespace MlPipelines.Data.Binding;

/// <summary>Maps CLR member types to column types and converters.</summary>
internal static class TypeMapping
{
    /// <summary>(column type, raw type, converter) for a member of <paramref name="memberType"/>; null when it has no column type.</summary>
    public static (DataViewType Type, Type RawType, object Converter)? Map(Type memberType, MemberInfo? member, ComponentCatalog? catalog)
    {
        var key = member?.GetCustomAttribute<KeyTypeAttribute>();
        var vector = member?.GetCustomAttribute<VectorTypeAttribute>();
        int[] dims = vector is null ? [0] : [.. vector.Dimensions];
        if (key is not null)
        {
            var keyType = new KeyDataViewType(typeof(uint), key.Count);
            if (memberType == typeof(uint)) return (keyType, typeof(uint), new UIntKeyConverter(key.Count));
            if (memberType == typeof(int)) return (keyType, typeof(uint), new IntKeyConverter(key.Count));
            throw new ArgumentException($"[KeyType] needs a uint or int member; {member!.Name} is {memberType.Name}.", nameof(member));
        }
        if (memberType == typeof(string)) return (TextDataViewType.Instance, typeof(ReadOnlyMemory<char>), new TextConverter());
        if (Primitive(memberType) is { } primitive) return (primitive, memberType, Identity(memberType));
        if (memberType.IsSZArray)
        {
            Type item = memberType.GetElementType()!;
            if (item == typeof(string))
                return (Vector(TextDataViewType.Instance, dims), typeof(VBuffer<ReadOnlyMemory<char>>), new TextArrayConverter(Size(dims)));
            if (Primitive(item) is { } itemType && item != typeof(ReadOnlyMemory<char>))
                return (Vector(itemType, dims), typeof(VBuffer<>).MakeGenericType(item),
                    Activator.CreateInstance(typeof(ArrayConverter<>).MakeGenericType(item), Size(dims))!);
            return null;
        }
        if (memberType.IsGenericType && memberType.GetGenericTypeDefinition() == typeof(VBuffer<>))
        {
            Type item = memberType.GetGenericArguments()[0];
            if (Primitive(item) is not { } itemType) return null;
            return (Vector(itemType, dims), memberType, Activator.CreateInstance(typeof(VBufferConverter<>).MakeGenericType(item), Size(dims))!);
        }
        var custom = catalog?.FindColumnType(memberType);
        if (custom is not null) return (custom.CreateType(member), memberType, Identity(memberType));
        return null;
    }

    private static PrimitiveDataViewType? Primitive(Type type) =>
        type == typeof(bool) ? BooleanDataViewType.Instance
        : type == typeof(ReadOnlyMemory<char>) ? TextDataViewType.Instance
        : NumberDataViewType.FromRawType(type);

    private static object Identity(Type type) => Activator.CreateInstance(typeof(IdentityConverter<>).MakeGenericType(type))!;

    private static VectorDataViewType Vector(PrimitiveDataViewType item, int[] dims) => new(item, dims);

    private static int Size(int[] dims)
    {
        long size = 1;
        foreach (int d in dims) size *= d;
        return size > int.MaxValue ? 0 : (int)size;
    }
}
