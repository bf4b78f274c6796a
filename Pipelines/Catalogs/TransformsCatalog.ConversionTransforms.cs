using MlPipelines.Transforms;

namespace MlPipelines;

public sealed partial class TransformsCatalog
{
    /// <summary>Conversions (ctx.Transforms.Conversion).</summary>
    public sealed class ConversionTransforms
    {
        internal ConversionTransforms(MLContext context) => Context = context;

        /// <summary>The context (for extension methods).</summary>
        public MLContext Context { get; }

        /// <summary>
        /// Maps values (class names, numbers) to keys 1..n learned from the data, with the values as KeyValues
        /// annotation. Keys are ordered by first occurrence in the unshuffled data or by value (ordinal for text);
        /// both are deterministic. <paramref name="keyData"/>, a one-column view, gives the values instead of the data.
        /// </summary>
        public ValueToKeyMappingEstimator MapValueToKey(string outputColumnName, string? inputColumnName = null, int maximumNumberOfKeys = 1_000_000,
            ValueToKeyMappingEstimator.KeyOrdinality keyOrdinality = ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence,
            bool addKeyValueAnnotationsAsText = false, IDataView? keyData = null) =>
            new(new ValueToKeyMappingEstimator.Options
            {
                OutputColumnName = outputColumnName,
                InputColumnName = inputColumnName ?? outputColumnName,
                MaximumNumberOfKeys = maximumNumberOfKeys,
                Ordinality = keyOrdinality,
                AddKeyValueAnnotationsAsText = addKeyValueAnnotationsAsText,
            }, keyData);

        /// <summary>Maps keys back to their values (the key column's KeyValues annotation); missing keys give the default value.</summary>
        public KeyToValueMappingEstimator MapKeyToValue(string outputColumnName, string? inputColumnName = null) =>
            new(outputColumnName, inputColumnName ?? outputColumnName);
    }
}
