using MlPipelines.Data;
using MlPipelines.Internal;
using MlPipelines.Model;

namespace MlPipelines.Transforms;

/// <summary>Concatenates columns into one vector, in the given order.</summary>
public sealed class ColumnConcatenatingTransformer : RowToRowTransformerBase
{
    internal const string ComponentName = "mlp.concatenate";
    internal const string Expected = "a number, boolean or text scalar or vector";
    private readonly string _output;
    private readonly string[] _inputs;

    internal ColumnConcatenatingTransformer(string outputColumnName, string[] inputColumnNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentNullException.ThrowIfNull(inputColumnNames);
        if (inputColumnNames.Length == 0 || inputColumnNames.Any(string.IsNullOrEmpty))
            throw new ArgumentException("Concatenate needs one or more input column names.", nameof(inputColumnNames));
        _output = outputColumnName;
        _inputs = [.. inputColumnNames];
    }

    /// <inheritdoc />
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.SetOptions(new SavedOptions(_output, _inputs));
    }

    internal static ITransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var saved = context.GetOptions<SavedOptions>();
        return new ColumnConcatenatingTransformer(saved.OutputColumnName, saved.InputColumnNames);
    }

    internal static bool IsConcatenable(DataViewType item) => item is NumberDataViewType or BooleanDataViewType or TextDataViewType;

    /// <inheritdoc />
    protected override ColumnMapperBase MakeMapper(DataViewSchema inputSchema)
    {
        var columns = new DataViewSchema.Column[_inputs.Length];
        PrimitiveDataViewType? item = null;
        long size = 0;
        bool known = true;
        for (int i = 0; i < _inputs.Length; i++)
        {
            string expected = item is null ? Expected : $"{item} or Vector<{item}>";
            var column = SchemaShapeChecks.RequireColumn(inputSchema, _inputs[i], expected);
            var columnItem = column.Type is VectorDataViewType v ? v.ItemType : column.Type as PrimitiveDataViewType;
            if (columnItem is null || !IsConcatenable(columnItem) || (item is not null && !item.Equals(columnItem)))
                throw new SchemaMismatchException(_inputs[i], expected, column.Type.ToString());
            item ??= columnItem;
            if (column.Type is VectorDataViewType { IsKnownSize: false }) known = false;
            else size += column.Type is VectorDataViewType vv ? vv.Size : 1;
            columns[i] = column;
        }
        if (size > int.MaxValue) throw new SchemaMismatchException(_output, "a vector of at most 2^31 − 1 items", $"{size} items", nameof(inputSchema));
        var output = new DataViewSchema.DetachedColumn(_output, new VectorDataViewType(item!, known ? (int)size : 0));
        return new Mapper(inputSchema, output, columns);
    }

    private sealed record SavedOptions(string OutputColumnName, string[] InputColumnNames);

    private sealed class Mapper(DataViewSchema schema, DataViewSchema.DetachedColumn output, DataViewSchema.Column[] inputs)
        : ColumnMapperBase(schema, [output])
    {
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput) => activeOutput(0) ? inputs : [];

        public override Delegate?[] CreateGetters(DataViewRow row, Func<int, bool> activeOutput) =>
            [activeOutput(0) ? GenericDispatch.Invoke(((VectorDataViewType)output.Type).ItemType.RawType, new GetterFunc(row, inputs)) : null];
    }

    private sealed class GetterFunc(DataViewRow row, DataViewSchema.Column[] inputs) : IGenericFunc<Delegate>
    {
        public Delegate Invoke<T>()
        {
            var parts = inputs.Select(c => c.Type is VectorDataViewType ? Part<T>.Vector(row.GetGetter<VBuffer<T>>(c)) : Part<T>.Scalar(row.GetGetter<T>(c))).ToArray();
            ValueGetter<VBuffer<T>> getter = (ref VBuffer<T> value) =>
            {
                int length = 0;
                foreach (var p in parts) length += p.Read();
                var editor = VBufferEditor.Create(ref value, length);
                int offset = 0;
                foreach (var p in parts) offset += p.CopyTo(editor.Values[offset..]);
                value = editor.Commit();
            };
            return getter;
        }
    }

    /// <summary>One input of a concatenation: read it, then copy its items.</summary>
    private sealed class Part<T>
    {
        private ValueGetter<T>? _scalar;
        private ValueGetter<VBuffer<T>>? _vector;
        private T _value = default!;
        private VBuffer<T> _buffer;

        public static Part<T> Scalar(ValueGetter<T> getter) => new() { _scalar = getter };

        public static Part<T> Vector(ValueGetter<VBuffer<T>> getter) => new() { _vector = getter };

        public int Read()
        {
            if (_scalar is not null)
            {
                _scalar(ref _value);
                return 1;
            }
            _vector!(ref _buffer);
            return _buffer.Length;
        }

        public int CopyTo(Span<T> destination)
        {
            if (_scalar is not null)
            {
                destination[0] = _value;
                return 1;
            }
            _buffer.CopyTo(destination);
            return _buffer.Length;
        }
    }
}
