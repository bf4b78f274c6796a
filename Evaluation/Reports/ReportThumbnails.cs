using MlPipelines.Data;

namespace MlPipelines.Evaluation.Reports;

/// <summary>Thumbnails for a report, read from a data view (e.g. the rows named by TopLoss.RowId).</summary>
public static class ReportThumbnails
{
    /// <summary>
    /// Reads the rows at positions <paramref name="rowIds"/> of <paramref name="data"/> (one pass, stopping after the last
    /// one) and turns their pixels into thumbnails of at most <paramref name="maxSide"/> pixels a side. The column is a
    /// Single vector shaped [channels, height, width] with 1 or 3 channels (ExtractPixels' planar layout); see
    /// <see cref="ReportImage.FromPlanes"/> for the scaling. Positions past the end are left out.
    /// </summary>
    /// <exception cref="SchemaMismatchException">The column is missing or not a [1 or 3, height, width] Single vector.</exception>
    public static IReadOnlyDictionary<long, ReportImage> FromPixelColumn(IDataView data, string columnName, IEnumerable<long> rowIds, int maxSide = 96)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rowIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSide);
        const string Expected = "Vector<Single, C, H, W> with C = 1 or 3";
        var column = SchemaShapeChecks.RequireColumn(data.Schema, columnName, Expected);
        if (column.Type is not VectorDataViewType { IsKnownSize: true, Dimensions: [1 or 3, > 0, > 0] } type || type.ItemType != NumberDataViewType.Single)
            throw new SchemaMismatchException(columnName, Expected, column.Type.ToString(), nameof(data));
        int channels = type.Dimensions[0], height = type.Dimensions[1], width = type.Dimensions[2];

        var wanted = new SortedSet<long>(rowIds.Where(r => r >= 0));
        var result = new Dictionary<long, ReportImage>();
        if (wanted.Count == 0) return result;
        long last = wanted.Max;
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        var dense = new float[type.Size];
        while (cursor.Position < last && cursor.MoveNext())
        {
            if (!wanted.Contains(cursor.Position)) continue;
            getter(ref value);
            value.CopyTo(dense);
            result[cursor.Position] = ReportImage.FromPlanes(dense, channels, height, width).Downscale(maxSide);
        }
        return result;
    }
}
