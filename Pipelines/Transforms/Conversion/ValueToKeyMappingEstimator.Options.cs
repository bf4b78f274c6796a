namespace MlPipelines.Transforms;

public sealed partial class ValueToKeyMappingEstimator
{
    /// <summary>Options of <see cref="ValueToKeyMappingEstimator"/>.</summary>
    public sealed record Options
    {
        /// <summary>The key column to add.</summary>
        public required string OutputColumnName { get; init; }

        /// <summary>The column of values.</summary>
        public required string InputColumnName { get; init; }

        /// <summary>At most this many keys; later new values map to key 0 (missing).</summary>
        public int MaximumNumberOfKeys { get; init; } = 1_000_000;

        /// <summary>How keys are ordered.</summary>
        public KeyOrdinality Ordinality { get; init; } = KeyOrdinality.ByOccurrence;

        /// <summary>Store the key values as text even for numeric inputs.</summary>
        public bool AddKeyValueAnnotationsAsText { get; init; }
    }
}
