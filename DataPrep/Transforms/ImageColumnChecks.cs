using MlPipelines.Data;
using MlPipelines.DataPrep.Data;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>Schema checks shared by the image transforms (throwing <see cref="SchemaMismatchException"/>).</summary>
internal static class ImageColumnChecks
{
    public const string ImageTypeName = "Image";

    /// <summary>The image column <paramref name="name"/> of a shape.</summary>
    public static ImageDataViewType RequireImage(SchemaShape shape, string name)
    {
        var column = SchemaShapeChecks.RequireColumn(shape, name, ImageTypeName);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not ImageDataViewType image)
            throw new SchemaMismatchException(name, ImageTypeName, column.GetTypeString());
        return image;
    }

    /// <summary>The image column <paramref name="name"/> of a schema.</summary>
    public static (DataViewSchema.Column Column, ImageDataViewType Type) RequireImage(DataViewSchema schema, string name)
    {
        var column = SchemaShapeChecks.RequireColumn(schema, name, ImageTypeName);
        return column.Type is ImageDataViewType image ? (column, image) : throw new SchemaMismatchException(name, ImageTypeName, column.Type.ToString());
    }

    /// <summary>The text column <paramref name="name"/> of a shape.</summary>
    public static void RequireText(SchemaShape shape, string name)
    {
        var column = SchemaShapeChecks.RequireColumn(shape, name, "String");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
            throw new SchemaMismatchException(name, "String", column.GetTypeString());
    }

    /// <summary>The shape of an image column.</summary>
    public static SchemaShape.Column ImageShape(string name, ImageDataViewType type) =>
        new(name, SchemaShape.Column.VectorKind.Scalar, type, false);

    public static void CheckName(string name, string paramName)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("A column name must not be null or empty.", paramName);
    }
}
