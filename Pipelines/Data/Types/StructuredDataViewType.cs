namespace MlPipelines.Data;

/// <summary>
/// Base class of custom column types (ML.NET's StructuredDataViewType), such as DataPrep's image type.
/// Getters of such a column hand out <see cref="DataViewType.RawType"/> objects, which are immutable by
/// convention: a transform makes a new object rather than changing its input. A custom type is made
/// known to the pipeline by a <see cref="CustomColumnType"/> registered in the <see cref="ComponentCatalog"/>.
/// </summary>
public abstract class StructuredDataViewType : DataViewType
{
    /// <summary>Creates a custom type whose values are <paramref name="rawType"/> objects.</summary>
    protected StructuredDataViewType(Type rawType)
        : base(rawType)
    {
    }
}
