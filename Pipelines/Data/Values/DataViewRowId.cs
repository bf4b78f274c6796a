namespace MlPipelines.Data;

/// <summary>A row identifier (ML.NET's DataViewRowId): unique within a view; for our views, the row's position in the unshuffled source.</summary>
public readonly record struct DataViewRowId(ulong Low, ulong High)
{
    /// <inheritdoc />
    public override string ToString() => High == 0 ? Low.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{High:X16}{Low:X16}";
}
