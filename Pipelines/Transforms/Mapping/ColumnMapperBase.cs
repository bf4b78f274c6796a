using MlPipelines.Data;
using MlPipelines.Internal;

namespace MlPipelines.Transforms;

/// <summary>
/// The per-schema logic of a transformer that adds columns (the extension point behind
/// <see cref="RowToRowTransformerBase"/>): which columns it adds, which input columns each needs, and getters
/// computing them from an input row. Input columns pass through unchanged; an added column with the name of an
/// input column hides it. Getters run lazily, only for columns a cursor asked for.
/// </summary>
public abstract class ColumnMapperBase
{
    private readonly DataViewSchema.DetachedColumn[] _outputColumns;

    /// <summary>Creates a mapper over <paramref name="inputSchema"/> adding <paramref name="outputColumns"/> (validate the input before calling).</summary>
    protected ColumnMapperBase(DataViewSchema inputSchema, IEnumerable<DataViewSchema.DetachedColumn> outputColumns)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(outputColumns);
        InputSchema = inputSchema;
        _outputColumns = outputColumns.ToArray();
        OutputSchema = new DataViewSchema.Builder().AddColumns(inputSchema).AddColumns(_outputColumns).ToSchema();
    }

    /// <summary>The input schema.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>The added columns, in order.</summary>
    public IReadOnlyList<DataViewSchema.DetachedColumn> OutputColumns => _outputColumns;

    /// <summary>The input columns followed by the added columns.</summary>
    public DataViewSchema OutputSchema { get; }

    /// <summary>The input columns needed to compute the added columns <paramref name="activeOutput"/> accepts (indexes into <see cref="OutputColumns"/>).</summary>
    public abstract IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput);

    /// <summary>
    /// One getter per added column that <paramref name="activeOutput"/> accepts (null for the others), each a
    /// <see cref="ValueGetter{TValue}"/> of the column's raw type reading <paramref name="input"/>'s current row.
    /// Called once per cursor; state shared by the getters of one row (a decoded image, a mapped object) lives here.
    /// </summary>
    public abstract Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput);

    /// <summary>The lazily mapped view of <paramref name="input"/>, whose schema must match <see cref="InputSchema"/>.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema);
        return new MappedDataView(input, this);
    }

    /// <summary>This mapper as an <see cref="IRowToRowMapper"/>.</summary>
    public IRowToRowMapper AsRowToRowMapper() => new MapperRowToRowMapper(this);

    internal void CheckInput(DataViewSchema schema)
    {
        if (ReferenceEquals(schema, InputSchema)) return;
        bool same = schema.Count == InputSchema.Count;
        for (int i = 0; same && i < schema.Count; i++)
            same = schema[i].Name == InputSchema[i].Name && schema[i].Type.Equals(InputSchema[i].Type);
        if (!same) throw new ArgumentException("The data view's schema differs from the schema this mapper was made for.", "input");
    }

    internal bool[] InputActive(bool[] activeOutput)
    {
        int n = InputSchema.Count;
        var input = new bool[n];
        Array.Copy(activeOutput, input, n);
        foreach (var c in GetDependencies(j => activeOutput[n + j]))
        {
            InputSchema.CheckColumn(c, "dependencies");
            input[c.Index] = true;
        }
        return input;
    }
}

/// <summary>An input row with the added columns of a <see cref="ColumnMapperBase"/>.</summary>
internal sealed class MappedRow : DataViewRow
{
    private readonly DataViewRow _input;
    private readonly ColumnMapperBase _mapper;
    private readonly bool[] _active;
    private readonly Delegate?[] _getters;

    public MappedRow(DataViewRow input, ColumnMapperBase mapper, bool[] active)
    {
        _input = input;
        _mapper = mapper;
        _active = active;
        int n = mapper.InputSchema.Count;
        _getters = mapper.CreateGetters(input, j => active[n + j]);
        if (_getters.Length != mapper.OutputColumns.Count)
            throw new InvalidOperationException($"{mapper.GetType().Name}.CreateGetters returned {_getters.Length} getters for {mapper.OutputColumns.Count} columns.");
    }

    public DataViewRow Input => _input;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override DataViewSchema Schema => _mapper.OutputSchema;

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        Schema.CheckColumn(column, nameof(column));
        return _active[column.Index];
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        RowChecks.CheckGetter<TValue>(Schema, column, _active[column.Index]);
        int n = _mapper.InputSchema.Count;
        if (column.Index < n) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        return _getters[column.Index - n] as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"{_mapper.GetType().Name} made no getter of {typeof(TValue).Name} for active column '{column.Name}'.");
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
}
