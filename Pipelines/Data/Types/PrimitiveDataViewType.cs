namespace MlPipelines.Data;

/// <summary>A scalar type: numbers, booleans, text and keys. Vector item types are primitive.</summary>
public abstract class PrimitiveDataViewType : DataViewType
{
    /// <summary>Creates a primitive type over <paramref name="rawType"/>.</summary>
    protected PrimitiveDataViewType(Type rawType)
        : base(rawType)
    {
    }
}
