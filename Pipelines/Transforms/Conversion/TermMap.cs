using System.Globalization;
using MlPipelines.Data;
using MlPipelines.Internal;
using MlPipelines.Model;

namespace MlPipelines.Transforms;

/// <summary>The values a <see cref="ValueToKeyMappingTransformer"/> maps to keys 1..Count, in key order.</summary>
internal abstract class TermMap
{
    /// <summary>Names of the value types terms can have.</summary>
    public const string SupportedTypes = "a scalar of String, Single, Double, Int32, Int64, UInt32, Byte or Boolean";

    public abstract PrimitiveDataViewType ItemType { get; }

    public abstract int Count { get; }

    /// <summary>Whether values of <paramref name="type"/> can be mapped to keys.</summary>
    public static bool Supports(DataViewType type) => type is TextDataViewType or BooleanDataViewType or NumberDataViewType;

    /// <summary>Collects the distinct values of <paramref name="column"/> (one pass, that column only).</summary>
    public static TermMap Build(IDataView data, DataViewSchema.Column column, int maximum, ValueToKeyMappingEstimator.KeyOrdinality ordinality)
    {
        TermMap map = column.Type is TextDataViewType ? new TextTermMap() : GenericDispatch.Invoke(column.Type.RawType, new NumericFactory((PrimitiveDataViewType)column.Type));
        map.Collect(data, column, maximum);
        if (ordinality == ValueToKeyMappingEstimator.KeyOrdinality.ByValue) map.SortByValue();
        return map;
    }

    /// <summary>A getter of the key (0 for values not in the map) of <paramref name="column"/>'s current value.</summary>
    public abstract ValueGetter<uint> MakeGetter(DataViewRow input, DataViewSchema.Column column);

    /// <summary>The KeyValues annotation (the terms, as text when <paramref name="asText"/>).</summary>
    public abstract DataViewSchema.Annotations KeyValues(bool asText);

    /// <summary>The terms in key order, formatted invariantly.</summary>
    public abstract string[] Format();

    public abstract void Save(ModelSaveContext context);

    public static TermMap Load(ModelLoadContext context, string itemType, string[]? textTerms)
    {
        if (itemType == "String") return TextTermMap.FromTerms(context, textTerms ?? throw context.Error("its text terms are missing"));
        var type = itemType switch
        {
            "Single" => NumberDataViewType.Single,
            "Double" => NumberDataViewType.Double,
            "Int32" => NumberDataViewType.Int32,
            "Int64" => NumberDataViewType.Int64,
            "UInt32" => NumberDataViewType.UInt32,
            "Byte" => NumberDataViewType.Byte,
            "Boolean" => (PrimitiveDataViewType)BooleanDataViewType.Instance,
            _ => throw context.Error($"term type '{itemType}' is not supported"),
        };
        var map = GenericDispatch.Invoke(type.RawType, new NumericFactory(type));
        map.LoadTerms(context);
        return map;
    }

    protected abstract void Collect(IDataView data, DataViewSchema.Column column, int maximum);

    protected abstract void SortByValue();

    protected abstract void LoadTerms(ModelLoadContext context);

    internal static string TypeName(PrimitiveDataViewType type) => type is TextDataViewType ? "String" : type.RawType.Name;

    private sealed class NumericFactory(PrimitiveDataViewType type) : IGenericFunc<TermMap>
    {
        public TermMap Invoke<T>() => (TermMap)Activator.CreateInstance(typeof(NumericTermMap<>).MakeGenericType(typeof(T)), type)!;
    }
}

/// <summary>Text terms, looked up without allocating (alternate lookup by span).</summary>
internal sealed class TextTermMap : TermMap
{
    private readonly List<string> _terms = [];
    private Dictionary<string, uint> _keys = new(StringComparer.Ordinal);

    public override PrimitiveDataViewType ItemType => TextDataViewType.Instance;

    public override int Count => _terms.Count;

    public static TextTermMap FromTerms(ModelLoadContext context, string[] terms)
    {
        var map = new TextTermMap();
        foreach (string t in terms)
        {
            if (t is null || !map.TryAdd(t)) throw context.Error("its terms contain a duplicate or null");
        }
        return map;
    }

    public override ValueGetter<uint> MakeGetter(DataViewRow input, DataViewSchema.Column column)
    {
        var getter = input.GetGetter<ReadOnlyMemory<char>>(column);
        var lookup = _keys.GetAlternateLookup<ReadOnlySpan<char>>();
        ReadOnlyMemory<char> value = default;
        return (ref uint key) =>
        {
            getter(ref value);
            key = lookup.TryGetValue(value.Span, out uint k) ? k : 0;
        };
    }

    public override DataViewSchema.Annotations KeyValues(bool asText) => new DataViewSchema.Annotations.Builder().AddKeyValues(_terms).ToAnnotations();

    public override string[] Format() => [.. _terms];

    public override void Save(ModelSaveContext context)
    {
    }

    protected override void Collect(IDataView data, DataViewSchema.Column column, int maximum)
    {
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        var lookup = _keys.GetAlternateLookup<ReadOnlySpan<char>>();
        ReadOnlyMemory<char> value = default;
        while (_terms.Count < maximum && cursor.MoveNext())
        {
            getter(ref value);
            if (!lookup.ContainsKey(value.Span)) TryAdd(value.ToString());
        }
    }

    protected override void SortByValue()
    {
        _terms.Sort(StringComparer.Ordinal);
        _keys = _terms.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => (uint)x.i + 1, StringComparer.Ordinal);
    }

    protected override void LoadTerms(ModelLoadContext context) => throw new InvalidOperationException("Text terms load through FromTerms.");

    private bool TryAdd(string term)
    {
        if (!_keys.TryAdd(term, (uint)_terms.Count + 1)) return false;
        _terms.Add(term);
        return true;
    }
}

/// <summary>Numeric or boolean terms; NaN is never a term (it maps to key 0).</summary>
internal sealed class NumericTermMap<T>(PrimitiveDataViewType type) : TermMap
    where T : unmanaged, IEquatable<T>, IComparable<T>
{
    private readonly List<T> _terms = [];
    private Dictionary<T, uint> _keys = [];

    public override PrimitiveDataViewType ItemType => type;

    public override int Count => _terms.Count;

    public override ValueGetter<uint> MakeGetter(DataViewRow input, DataViewSchema.Column column)
    {
        var getter = input.GetGetter<T>(column);
        T value = default;
        return (ref uint key) =>
        {
            getter(ref value);
            key = _keys.TryGetValue(value, out uint k) ? k : 0;
        };
    }

    public override DataViewSchema.Annotations KeyValues(bool asText)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        if (asText) return builder.AddKeyValues(Format()).ToAnnotations();
        return builder.Add(AnnotationKinds.KeyValues, new VectorDataViewType(type, _terms.Count), new VBuffer<T>([.. _terms])).ToAnnotations();
    }

    public override string[] Format() => _terms.Select(t => ValueFormat.Format(t)).ToArray();

    public override void Save(ModelSaveContext context)
    {
        if (typeof(T) == typeof(bool))
            context.AddTensor<byte>("terms", _terms.Select(t => t.Equals(default) ? (byte)0 : (byte)1).ToArray(), _terms.Count);
        else
            context.AddTensor<T>("terms", _terms.ToArray(), _terms.Count);
    }

    protected override void Collect(IDataView data, DataViewSchema.Column column, int maximum)
    {
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<T>(column);
        T value = default;
        while (_terms.Count < maximum && cursor.MoveNext())
        {
            getter(ref value);
            if (!IsNaN(value) && _keys.TryAdd(value, (uint)_terms.Count + 1)) _terms.Add(value);
        }
    }

    protected override void SortByValue()
    {
        _terms.Sort();
        _keys = _terms.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => (uint)x.i + 1);
    }

    protected override void LoadTerms(ModelLoadContext context)
    {
        T[] terms;
        int[] shape;
        if (typeof(T) == typeof(bool))
        {
            var bytes = context.GetTensor<byte>("terms", out shape);
            if (bytes.Any(b => b > 1)) throw context.Error("its boolean terms are not 0 or 1");
            terms = bytes.Select(b => (T)(object)(b == 1)).ToArray();
        }
        else
        {
            terms = Load(context, out shape);
        }
        if (shape.Length != 1) throw context.Error("its terms are not a vector");
        foreach (var t in terms)
        {
            if (IsNaN(t) || !_keys.TryAdd(t, (uint)_terms.Count + 1))
                throw context.Error($"its terms contain NaN or the duplicate {ValueFormat.Format(t)}");
            _terms.Add(t);
        }
    }

    private static T[] Load(ModelLoadContext context, out int[] shape) => typeof(T) switch
    {
        _ when typeof(T) == typeof(float) => (T[])(object)context.GetTensor<float>("terms", out shape),
        _ when typeof(T) == typeof(double) => (T[])(object)context.GetTensor<double>("terms", out shape),
        _ when typeof(T) == typeof(int) => (T[])(object)context.GetTensor<int>("terms", out shape),
        _ when typeof(T) == typeof(long) => (T[])(object)context.GetTensor<long>("terms", out shape),
        _ when typeof(T) == typeof(uint) => (T[])(object)context.GetTensor<uint>("terms", out shape),
        _ when typeof(T) == typeof(byte) => (T[])(object)context.GetTensor<byte>("terms", out shape),
        _ => throw new InvalidOperationException($"Terms of {typeof(T).Name} cannot be loaded."),
    };

    private static bool IsNaN(T value) => value is float f ? float.IsNaN(f) : value is double d && double.IsNaN(d);

    public override string ToString() => string.Join(", ", Format().Take(8)) + (Count > 8 ? ", ..." : string.Empty) + $" ({Count.ToString(CultureInfo.InvariantCulture)} terms)";
}
