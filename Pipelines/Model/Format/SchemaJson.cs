using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlPipelines.Data;

namespace MlPipelines.Model.Format;

/// <summary>
/// Schemas in model files: [{"name", "type", "annotations"}], types as {"kind": "Single" | "Double" | "Byte" | "Int32" |
/// "Int64" | "UInt32" | "Boolean" | "Text"}, {"kind": "Key", "count"}, {"kind": "Vector", "item", "dims"} or
/// {"kind": "Custom", "name", "argument"}; annotations whose values are vectors of primitives are kept as arrays.
/// </summary>
internal static class SchemaJson
{
    private const int MaxColumns = 100_000;
    private const int MaxAnnotationItems = 1 << 20;

    public static JsonArray Write(DataViewSchema schema, ComponentCatalog catalog)
    {
        var columns = new JsonArray();
        foreach (var c in schema)
        {
            var column = new JsonObject { ["name"] = c.Name, ["type"] = WriteType(c.Type, catalog) };
            var annotations = new JsonObject();
            foreach (var a in c.Annotations.Schema)
            {
                if (a.IsHidden || a.Type is not VectorDataViewType { ItemType: NumberDataViewType or TextDataViewType or BooleanDataViewType } v) continue;
                var values = WriteValues(c.Annotations, a.Name, v.ItemType);
                if (values is null) continue;
                annotations[a.Name] = new JsonObject { ["type"] = WriteType(a.Type, catalog), ["values"] = values };
            }
            if (annotations.Count > 0) column["annotations"] = annotations;
            columns.Add(column);
        }
        return columns;
    }

    public static DataViewSchema Read(JsonElement element, ComponentCatalog catalog)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() > MaxColumns) throw Bad("a schema must be an array of columns");
        var builder = new DataViewSchema.Builder();
        foreach (var c in element.EnumerateArray())
        {
            string name = RequireString(c, "name");
            if (name.Length == 0) throw Bad("a column name is empty");
            var type = ReadType(Require(c, "type"), catalog, 0);
            var annotations = new DataViewSchema.Annotations.Builder();
            if (c.TryGetProperty("annotations", out var a))
            {
                if (a.ValueKind != JsonValueKind.Object) throw Bad($"annotations of column '{SafeTensors.Clip(name)}' are not an object");
                foreach (var p in a.EnumerateObject()) ReadAnnotation(annotations, p, catalog);
            }
            builder.AddColumn(name, type, annotations.ToAnnotations());
        }
        return builder.ToSchema();
    }

    private static JsonObject WriteType(DataViewType type, ComponentCatalog catalog) => type switch
    {
        KeyDataViewType k => new JsonObject { ["kind"] = "Key", ["count"] = k.Count },
        VectorDataViewType v => new JsonObject
        {
            ["kind"] = "Vector",
            ["item"] = WriteType(v.ItemType, catalog),
            ["dims"] = new JsonArray(v.Dimensions.Select(d => (JsonNode)d).ToArray()),
        },
        TextDataViewType => new JsonObject { ["kind"] = "Text" },
        BooleanDataViewType => new JsonObject { ["kind"] = "Boolean" },
        NumberDataViewType n => new JsonObject { ["kind"] = n.RawType.Name },
        StructuredDataViewType s => WriteCustom(s, catalog),
        _ => throw new InvalidOperationException($"Column type {type} cannot be saved in a model file."),
    };

    private static JsonObject WriteCustom(StructuredDataViewType type, ComponentCatalog catalog)
    {
        var custom = catalog.FindColumnType(type.RawType)
            ?? throw new InvalidOperationException($"Column type {type} is not registered in the ComponentCatalog, so it cannot be saved.");
        return new JsonObject { ["kind"] = "Custom", ["name"] = custom.Name, ["argument"] = custom.FormatType(type) };
    }

    private static DataViewType ReadType(JsonElement e, ComponentCatalog catalog, int depth)
    {
        string kind = RequireString(e, "kind");
        switch (kind)
        {
            case "Single": return NumberDataViewType.Single;
            case "Double": return NumberDataViewType.Double;
            case "Byte": return NumberDataViewType.Byte;
            case "Int32": return NumberDataViewType.Int32;
            case "Int64": return NumberDataViewType.Int64;
            case "UInt32": return NumberDataViewType.UInt32;
            case "Boolean": return BooleanDataViewType.Instance;
            case "Text": return TextDataViewType.Instance;
            case "Key":
                if (!Require(e, "count").TryGetUInt64(out ulong count) || count == 0 || count > uint.MaxValue) throw Bad("a key type's count is invalid");
                return new KeyDataViewType(typeof(uint), count);
            case "Vector":
                if (depth > 0) throw Bad("vectors of vectors are not supported");
                if (ReadType(Require(e, "item"), catalog, depth + 1) is not PrimitiveDataViewType item) throw Bad("a vector's item type must be primitive");
                var dims = Require(e, "dims");
                if (dims.ValueKind != JsonValueKind.Array || dims.GetArrayLength() is 0 or > 16) throw Bad("a vector needs 1 to 16 dimensions");
                var list = ImmutableArray.CreateBuilder<int>();
                long size = 1;
                foreach (var d in dims.EnumerateArray())
                {
                    if (!d.TryGetInt32(out int dim) || dim < 0) throw Bad("a vector dimension is invalid");
                    size *= dim;
                    if (size > int.MaxValue) throw Bad("a vector type is too large");
                    list.Add(dim);
                }
                return new VectorDataViewType(item, list.ToImmutable());
            case "Custom":
                string name = RequireString(e, "name");
                var custom = catalog.FindColumnType(name)
                    ?? throw Bad($"column type '{SafeTensors.Clip(name)}' is not registered (reference the assembly that defines it, or register it in ctx.ComponentCatalog)");
                return custom.ParseType(RequireString(e, "argument"));
            default:
                throw Bad($"unknown column type kind '{SafeTensors.Clip(kind)}'");
        }
    }

    private static JsonArray? WriteValues(DataViewSchema.Annotations annotations, string kind, PrimitiveDataViewType item)
    {
        var values = new JsonArray();
        if (item is TextDataViewType)
        {
            var v = default(VBuffer<ReadOnlyMemory<char>>);
            annotations.GetValue(kind, ref v);
            foreach (var s in v.GetValues()) values.Add(s.ToString());
        }
        else
        {
            foreach (string s in Internal.ValueFormat.FormatVector(annotations, annotations.Schema[kind]))
            {
                if (item is BooleanDataViewType) values.Add(s == bool.TrueString);
                else if (double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) values.Add(JsonNode.Parse(s));
                else return null;
            }
        }
        return values;
    }

    private static void ReadAnnotation(DataViewSchema.Annotations.Builder builder, JsonProperty p, ComponentCatalog catalog)
    {
        if (p.Name.Length == 0 || p.Value.ValueKind != JsonValueKind.Object) throw Bad("an annotation is invalid");
        if (ReadType(Require(p.Value, "type"), catalog, 0) is not VectorDataViewType type) throw Bad($"annotation '{SafeTensors.Clip(p.Name)}' is not a vector");
        var values = Require(p.Value, "values");
        if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() > MaxAnnotationItems
            || (type.IsKnownSize && values.GetArrayLength() != type.Size))
            throw Bad($"annotation '{SafeTensors.Clip(p.Name)}' has values that do not match its type");
        var items = values.EnumerateArray().ToList();
        switch (type.ItemType)
        {
            case TextDataViewType:
                builder.Add(p.Name, type, new VBuffer<ReadOnlyMemory<char>>(items.Select(i => (i.ValueKind == JsonValueKind.String ? i.GetString()! : throw Bad("a text annotation value is not a string")).AsMemory()).ToArray()));
                break;
            case BooleanDataViewType:
                builder.Add(p.Name, type, new VBuffer<bool>(items.Select(i => i.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw Bad("a boolean annotation value is invalid") }).ToArray()));
                break;
            case NumberDataViewType n when n.RawType == typeof(float):
                builder.Add(p.Name, type, new VBuffer<float>(items.Select(i => i.GetSingle()).ToArray()));
                break;
            case NumberDataViewType n when n.RawType == typeof(double):
                builder.Add(p.Name, type, new VBuffer<double>(items.Select(i => i.GetDouble()).ToArray()));
                break;
            case NumberDataViewType n when n.RawType == typeof(int):
                builder.Add(p.Name, type, new VBuffer<int>(items.Select(i => i.GetInt32()).ToArray()));
                break;
            case NumberDataViewType n when n.RawType == typeof(long):
                builder.Add(p.Name, type, new VBuffer<long>(items.Select(i => i.GetInt64()).ToArray()));
                break;
            case NumberDataViewType n when n.RawType == typeof(byte):
                builder.Add(p.Name, type, new VBuffer<byte>(items.Select(i => i.GetByte()).ToArray()));
                break;
            case NumberDataViewType n when n.RawType == typeof(uint):
                builder.Add(p.Name, type, new VBuffer<uint>(items.Select(i => i.GetUInt32()).ToArray()));
                break;
            default:
                throw Bad($"annotation '{SafeTensors.Clip(p.Name)}' has unsupported items");
        }
    }

    private static JsonElement Require(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : throw Bad($"'{name}' is missing");

    private static string RequireString(JsonElement e, string name)
    {
        var v = Require(e, name);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad($"'{name}' is not a string");
    }

    private static ModelFormatException Bad(string what) => new($"Invalid schema in the model file: {what}.");
}
