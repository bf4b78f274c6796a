namespace MlPipelines.Data;

/// <summary>Reads the current row's value of one column into <paramref name="value"/> (ML.NET's ValueGetter).</summary>
/// <typeparam name="TValue">The column's raw type.</typeparam>
public delegate void ValueGetter<TValue>(ref TValue value);
