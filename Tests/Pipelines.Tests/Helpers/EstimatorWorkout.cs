using MlPipelines.Data;

namespace MlPipelines.Pipelines.Tests.Helpers;

/// <summary>
/// The generic estimator workout (after ML.NET's TestEstimatorCore): invalid inputs fail in GetOutputSchema and in Fit
/// before any data is read; the estimator's output shape agrees with the fitted transformer's schema and with what
/// cursors yield; cursor sets and row-to-row mappers give the same rows as a plain cursor; refitting is deterministic;
/// save then load gives the same input schema, output schema and outputs.
/// </summary>
public static class EstimatorWorkout
{
    public static TTransformer Run<TTransformer>(MLContext ctx, IEstimator<TTransformer> estimator, IDataView valid, params IDataView[] invalid)
        where TTransformer : ITransformer
    {
        foreach (var bad in invalid)
        {
            var counting = new CountingDataView(bad);
            Assert.ThrowsExactly<SchemaMismatchException>(() => estimator.GetOutputSchema(SchemaShape.Create(counting.Schema)), "GetOutputSchema on invalid input");
            Assert.ThrowsExactly<SchemaMismatchException>(() => estimator.Fit(counting), "Fit on invalid input");
            Assert.AreEqual(0, counting.CursorsOpened, "invalid input must be rejected before any cursor is opened");
        }

        var shape = estimator.GetOutputSchema(SchemaShape.Create(valid.Schema));
        var transformer = estimator.Fit(valid);
        var outSchema = transformer.GetOutputSchema(valid.Schema);
        CheckShapeAgrees(shape, outSchema);

        var transformed = transformer.Transform(valid);
        AssertSchemasEqual(outSchema, transformed.Schema, "Transform's schema vs GetOutputSchema");
        var rows = ViewReader.ReadAll(transformed);
        if (valid.GetRowCount() is long count && transformed.GetRowCount() is long outCount) Assert.AreEqual(count, outCount, "row count");

        CheckCursorSet(transformed, rows);
        if (transformer.IsRowToRowMapper) CheckRowToRow(transformer, valid, transformed.Schema, rows);

        var refit = estimator.Fit(valid).Transform(valid);
        ViewReader.AssertEqual(rows, ViewReader.ReadAll(refit), "refit");

        using var stream = new MemoryStream();
        ctx.Model.Save(transformer, valid.Schema, stream);
        stream.Position = 0;
        var loaded = ctx.Model.Load(stream, out var loadedInput);
        Assert.IsNotNull(loadedInput);
        AssertSchemasEqual(valid.Schema, loadedInput, "saved input schema");
        var loadedOut = loaded.Transform(valid);
        AssertSchemasEqual(outSchema, loadedOut.Schema, "loaded transformer's schema");
        ViewReader.AssertEqual(rows, ViewReader.ReadAll(loadedOut), "loaded transformer's outputs");
        return transformer;
    }

    /// <summary>Every shape column is in the schema with a compatible type, and every visible schema column is in the shape.</summary>
    public static void CheckShapeAgrees(SchemaShape shape, DataViewSchema schema)
    {
        foreach (var expected in shape)
        {
            var actual = schema.GetColumnOrNull(expected.Name);
            Assert.IsNotNull(actual, $"shape column '{expected.Name}' is missing from the fitted schema");
            var actualShape = SchemaShape.Column.FromSchemaColumn(actual.Value);
            Assert.IsTrue(expected.IsCompatibleWith(actualShape), $"column '{expected.Name}': shape {expected.GetTypeString()} vs schema {actualShape.GetTypeString()}");
        }
        foreach (var column in schema.Where(c => !c.IsHidden))
            Assert.IsTrue(shape.TryFindColumn(column.Name, out _), $"schema column '{column.Name}' is missing from the estimator's shape");
    }

    public static void AssertSchemasEqual(DataViewSchema expected, DataViewSchema actual, string what)
    {
        Assert.AreEqual(expected.Count, actual.Count, $"{what}: column count ({expected} vs {actual})");
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.AreEqual(expected[i].Name, actual[i].Name, $"{what}: name of column {i}");
            Assert.AreEqual(expected[i].Type, actual[i].Type, $"{what}: type of column '{expected[i].Name}'");
            Assert.AreEqual(expected[i].IsHidden, actual[i].IsHidden, $"{what}: hidden flag of column '{expected[i].Name}'");
            var kinds = expected[i].Annotations.Schema.Select(a => a.Name).ToList();
            CollectionAssert.AreEqual(kinds, actual[i].Annotations.Schema.Select(a => a.Name).ToList(), $"{what}: annotations of '{expected[i].Name}'");
            if (expected[i].HasKeyValues())
                CollectionAssert.AreEqual(expected[i].GetKeyValueNames()!.ToList(), actual[i].GetKeyValueNames()!.ToList(), $"{what}: key values of '{expected[i].Name}'");
        }
    }

    private static void CheckCursorSet(IDataView view, List<object?[]> rows)
    {
        var columns = view.Schema.Where(c => !c.IsHidden).ToList();
        var all = new List<(DataViewRowId Id, object?[] Row)>();
        var cursors = view.GetRowCursorSet(columns, 3);
        foreach (var cursor in cursors)
        {
            using (cursor)
            {
                var id = cursor.GetIdGetter();
                var readers = columns.Select(c => ViewReader.Reader(cursor, c)).ToArray();
                var rowId = default(DataViewRowId);
                while (cursor.MoveNext())
                {
                    id(ref rowId);
                    all.Add((rowId, readers.Select(r => r()).ToArray()));
                }
            }
        }
        var ordered = all.OrderBy(x => x.Id.High).ThenBy(x => x.Id.Low).Select(x => x.Row).ToList();
        ViewReader.AssertEqual(rows, ordered, "cursor set (ordered by row id)");
    }

    private static void CheckRowToRow(ITransformer transformer, IDataView valid, DataViewSchema outSchema, List<object?[]> rows)
    {
        var mapper = transformer.GetRowToRowMapper(valid.Schema);
        var outputs = outSchema.Where(c => !c.IsHidden).Select(c => mapper.OutputSchema[c.Index]).ToList();
        var needed = mapper.GetDependencies(outputs).ToList();
        using var cursor = valid.GetRowCursor(needed);
        using var row = mapper.GetRow(cursor, outputs);
        ViewReader.AssertEqual(rows, ViewReader.ReadMapped(cursor, row, outputs), "row-to-row mapper");
    }
}
