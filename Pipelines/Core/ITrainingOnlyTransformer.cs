namespace MlPipelines;

/// <summary>
/// A transformer that acts only on training data (augmentation): <see cref="ITransformer.Transform"/>, the
/// schema and the row mapper are the identity (scoring, evaluation, prediction), and
/// <see cref="TransformForTraining"/> applies it. <see cref="EstimatorChain{TLastTransformer}.Fit"/> passes data
/// through <see cref="TransformForTraining"/> to the estimators that follow it. Its output columns must keep the
/// names and types of the inputs they replace, so training and scoring see the same schema.
/// </summary>
public interface ITrainingOnlyTransformer : ITransformer
{
    /// <summary>The transformed view as seen during training.</summary>
    IDataView TransformForTraining(IDataView input);
}
