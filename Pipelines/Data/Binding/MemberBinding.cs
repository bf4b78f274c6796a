using System.Linq.Expressions;
using System.Reflection;
using MlPipelines.Data.Views;
using MlPipelines.Internal;

namespace MlPipelines.Data.Binding;

/// <summary>One field or property of a user's row class bound to a column.</summary>
internal abstract class MemberBinding<TRow>(string columnName, DataViewType type, DataViewSchema.Annotations annotations, MemberInfo member)
{
    public string ColumnName { get; } = columnName;

    public DataViewType Type { get; } = type;

    public DataViewSchema.Annotations Annotations { get; } = annotations;

    public MemberInfo Member { get; } = member;

    /// <summary>Whether the member has a [KeyType] (zero-based class index).</summary>
    public bool IsZeroBasedKey => Member.GetCustomAttribute<KeyTypeAttribute>() is not null;

    public abstract bool CanRead { get; }

    public abstract bool CanWrite { get; }

    /// <summary>A getter of the column reading the member of the object <paramref name="current"/> returns.</summary>
    public abstract Delegate MakeReader(Func<TRow> current);

    /// <summary>A random-access column over a list of objects.</summary>
    public abstract IndexedColumn MakeIndexedColumn(IReadOnlyList<TRow> rows);

    /// <summary>An action reading <paramref name="column"/> of <paramref name="row"/> into the member; checks that the types fit.</summary>
    public abstract Action<TRow> MakeWriter(DataViewRow row, DataViewSchema.Column column);

    /// <summary>Whether a column of <paramref name="type"/> can be read into this member.</summary>
    public bool Accepts(DataViewType type)
    {
        if (type.RawType != Type.RawType) return false;
        if (IsZeroBasedKey && type is not KeyDataViewType) return false;
        if (Type is VectorDataViewType { IsKnownSize: true } mine && type is VectorDataViewType { IsKnownSize: true } theirs && mine.Size != theirs.Size) return false;
        return true;
    }

    public string MemberDescription => $"{Member.DeclaringType?.Name}.{Member.Name} ({TypeNames.Of(MemberType)})";

    public Type MemberType => Member is PropertyInfo p ? p.PropertyType : ((FieldInfo)Member).FieldType;
}

/// <summary>A member of type <typeparamref name="TMember"/> bound to a column of raw type <typeparamref name="TRaw"/>.</summary>
internal sealed class MemberBinding<TRow, TMember, TRaw> : MemberBinding<TRow>
{
    private readonly Func<TRow, TMember>? _get;
    private readonly Action<TRow, TMember>? _set;
    private readonly MemberConverter<TMember, TRaw> _converter;

    public MemberBinding(string columnName, DataViewType type, DataViewSchema.Annotations annotations, MemberInfo member, MemberConverter<TMember, TRaw> converter)
        : base(columnName, type, annotations, member)
    {
        _converter = converter;
        var obj = Expression.Parameter(typeof(TRow), "row");
        bool readable = member is FieldInfo || ((PropertyInfo)member).GetMethod is { IsPublic: true };
        bool writable = member is FieldInfo f ? !f.IsInitOnly : ((PropertyInfo)member).SetMethod is { IsPublic: true };
        if (readable)
            _get = Expression.Lambda<Func<TRow, TMember>>(Expression.MakeMemberAccess(obj, member), obj).Compile();
        if (writable)
        {
            var value = Expression.Parameter(typeof(TMember), "value");
            _set = Expression.Lambda<Action<TRow, TMember>>(Expression.Assign(Expression.MakeMemberAccess(obj, member), value), obj, value).Compile();
        }
    }

    public override bool CanRead => _get is not null;

    public override bool CanWrite => _set is not null;

    public override Delegate MakeReader(Func<TRow> current)
    {
        var get = _get ?? throw new InvalidOperationException($"{MemberDescription} has no public getter.");
        string column = ColumnName;
        ValueGetter<TRaw> getter = (ref TRaw value) => _converter.ToRaw(get(current()), ref value, column);
        return getter;
    }

    public override IndexedColumn MakeIndexedColumn(IReadOnlyList<TRow> rows) =>
        new ListColumn(Type, rows, _get ?? throw new InvalidOperationException($"{MemberDescription} has no public getter."), _converter, ColumnName);

    public override Action<TRow> MakeWriter(DataViewRow row, DataViewSchema.Column column)
    {
        var set = _set ?? throw new InvalidOperationException($"{MemberDescription} has no public setter.");
        if (!Accepts(column.Type))
            throw new SchemaMismatchException(column.Name, $"a column readable into {MemberDescription}", column.Type.ToString(), "data");
        var getter = row.GetGetter<TRaw>(column);
        TRaw raw = default!;
        return obj =>
        {
            getter(ref raw);
            set(obj, _converter.FromRaw(ref raw));
        };
    }

    private sealed class ListColumn(DataViewType type, IReadOnlyList<TRow> rows, Func<TRow, TMember> get, MemberConverter<TMember, TRaw> converter, string column)
        : IndexedColumn<TRaw>(type)
    {
        public override void Get(long row, ref TRaw value)
        {
            TRow item = rows[checked((int)row)] ?? throw new InvalidOperationException($"Row {row} of the source list is null.");
            converter.ToRaw(get(item), ref value, column);
        }
    }
}
