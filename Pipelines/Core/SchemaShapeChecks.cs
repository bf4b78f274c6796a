using MlPipelines.Data;

namespace MlPipelines;

/// <summary>Input checks for estimators' GetOutputSchema and transformers' mappers, throwing <see cref="SchemaMismatchException"/>.</summary>
public static class SchemaShapeChecks
{
    /// <summary>The column <paramref name="name"/> of <paramref name="shape"/>, or a mismatch naming what was <paramref name="expected"/>.</summary>
    public static SchemaShape.Column RequireColumn(SchemaShape shape, string name, string expected)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!shape.TryFindColumn(name, out var column))
            throw new SchemaMismatchException(name, expected, null);
        return column;
    }

    /// <summary>The column <paramref name="name"/> of <paramref name="shape"/>, which must satisfy <paramref name="required"/>.</summary>
    public static SchemaShape.Column RequireCompatible(SchemaShape shape, string name, SchemaShape.Column required)
    {
        var column = RequireColumn(shape, name, required.GetTypeString());
        if (!required.IsCompatibleWith(column))
            throw new SchemaMismatchException(name, required.GetTypeString(), column.GetTypeString());
        return column;
    }

    /// <summary>The visible column <paramref name="name"/> of <paramref name="schema"/>, or a mismatch naming what was <paramref name="expected"/>.</summary>
    public static DataViewSchema.Column RequireColumn(DataViewSchema schema, string name, string expected)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.GetColumnOrNull(name) ?? throw new SchemaMismatchException(name, expected, null);
    }

    /// <summary>The visible column <paramref name="name"/> of <paramref name="schema"/>, whose type must equal <paramref name="type"/>.</summary>
    public static DataViewSchema.Column RequireType(DataViewSchema schema, string name, DataViewType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var column = RequireColumn(schema, name, type.ToString()!);
        if (!column.Type.Equals(type))
            throw new SchemaMismatchException(name, type.ToString()!, column.Type.ToString());
        return column;
    }
}
