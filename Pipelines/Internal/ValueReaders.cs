using System.Runtime.CompilerServices;
using MlPipelines.Data;

namespace MlPipelines.Internal;

/// <summary>Readers of a scalar column's current value as a comparable object or a double (splits, filters).</summary>
internal static class ValueReaders
{
    /// <summary>A reader of the current value as a boxed, equatable object (strings for text); scalar columns only.</summary>
    public static Func<object> Boxed(DataViewRow row, DataViewSchema.Column column)
    {
        if (column.Type is not PrimitiveDataViewType)
            throw new ArgumentException($"Column '{column.Name}' is {column.Type}; a scalar column is needed.", nameof(column));
        return GenericDispatch.Invoke(column.Type.RawType, new BoxedFunc(row, column));
    }

    /// <summary>A reader of the current value as a double; numeric scalar columns only.</summary>
    public static Func<double> Number(DataViewRow row, DataViewSchema.Column column)
    {
        if (column.Type is not (NumberDataViewType or KeyDataViewType))
            throw new SchemaMismatchException(column.Name, "a numeric scalar", column.Type.ToString(), "input");
        return GenericDispatch.Invoke(column.Type.RawType, new NumberFunc(row, column));
    }

    private sealed class BoxedFunc(DataViewRow row, DataViewSchema.Column column) : IGenericFunc<Func<object>>
    {
        public Func<object> Invoke<T>()
        {
            var getter = row.GetGetter<T>(column);
            T value = default!;
            if (typeof(T) == typeof(ReadOnlyMemory<char>))
                return () =>
                {
                    getter(ref value);
                    return Unsafe.As<T, ReadOnlyMemory<char>>(ref value).ToString();
                };
            return () =>
            {
                getter(ref value);
                return value!;
            };
        }
    }

    private sealed class NumberFunc(DataViewRow row, DataViewSchema.Column column) : IGenericFunc<Func<double>>
    {
        public Func<double> Invoke<T>()
        {
            var getter = row.GetGetter<T>(column);
            T value = default!;
            return () =>
            {
                getter(ref value);
                return ToDouble(ref value);
            };
        }
    }

    private static double ToDouble<T>(ref T v) =>
        typeof(T) == typeof(float) ? Unsafe.As<T, float>(ref v)
        : typeof(T) == typeof(double) ? Unsafe.As<T, double>(ref v)
        : typeof(T) == typeof(int) ? Unsafe.As<T, int>(ref v)
        : typeof(T) == typeof(long) ? Unsafe.As<T, long>(ref v)
        : typeof(T) == typeof(byte) ? Unsafe.As<T, byte>(ref v)
        : typeof(T) == typeof(uint) ? Unsafe.As<T, uint>(ref v)
        : throw new InvalidOperationException($"Values of {typeof(T).Name} are not numbers.");
}
