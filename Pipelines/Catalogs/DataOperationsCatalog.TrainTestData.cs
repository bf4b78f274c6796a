namespace MlPipelines;

public sealed partial class DataOperationsCatalog
{
    /// <summary>The two parts of a train/test split.</summary>
    public sealed class TrainTestData
    {
        internal TrainTestData(IDataView trainSet, IDataView testSet)
        {
            TrainSet = trainSet;
            TestSet = testSet;
        }

        /// <summary>Rows for training.</summary>
        public IDataView TrainSet { get; }

        /// <summary>Rows for testing.</summary>
        public IDataView TestSet { get; }
    }
}
