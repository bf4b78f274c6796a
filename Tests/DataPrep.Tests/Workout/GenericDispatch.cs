using System.Reflection;

namespace MlPipelines.Internal;

/// <summary>A generic method body for a run-time type (the linked ViewReader uses it; Pipelines' own copy is internal).</summary>
internal interface IGenericFunc<out TResult>
{
    TResult Invoke<T>();
}

/// <summary>Runs an <see cref="IGenericFunc{TResult}"/> for a type known only at run time.</summary>
internal static class GenericDispatch
{
    private static readonly MethodInfo Core = typeof(GenericDispatch).GetMethod(nameof(InvokeCore), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static TResult Invoke<TResult>(Type type, IGenericFunc<TResult> func) =>
        (TResult)Core.MakeGenericMethod(type, typeof(TResult)).Invoke(null, BindingFlags.DoNotWrapExceptions, null, [func], null)!;

    private static TResult InvokeCore<T, TResult>(IGenericFunc<TResult> func) => func.Invoke<T>();
}
