namespace MlPipelines.Evaluation.Metrics;

/// <summary>
/// Streaming multiclass evaluation in constant memory: <see cref="Update"/> one row at a time (or a
/// batch), <see cref="Compute"/> the metrics, <see cref="Reset"/> to start over, <see cref="Merge"/>
/// accumulators filled in parallel. Definitions follow ML.NET's multiclass evaluator.
/// </summary>
public sealed class MulticlassMetricsAccumulator
{
    /// <summary>Probabilities are clamped to [Epsilon, 1] before taking the log, as ML.NET does.</summary>
    public const double Epsilon = 1e-15;

    private readonly int _classes;
    private readonly int _topK;
    private readonly int _topLossCount;
    private readonly int _calibrationBins;
    private readonly IReadOnlyList<string>? _classNames;

    private long[,] _matrix;
    private long[] _labelCounts;
    private double[] _logLossPerClass;
    private long[] _topKHits;
    private long[] _binCounts;
    private double[] _binConfidence;
    private long[] _binCorrect;
    private Dictionary<int, long> _outOfRangeLabels = new();
    private PriorityQueue<TopLoss, (double Loss, long NegRow)> _topLosses = new();
    private double _logLossSum;
    private long _rows;
    private long _correct;
    private long _skipped;

    /// <summary>Creates an accumulator for <paramref name="classCount"/> classes.</summary>
    /// <param name="classCount">Length of every score vector.</param>
    /// <param name="topK">k for top-k accuracy; 0 to not compute it.</param>
    /// <param name="classNames">Names of the classes (for the confusion table); null for "0", "1", ...</param>
    /// <param name="topLossCount">How many highest-loss rows to keep.</param>
    /// <param name="calibrationBins">Number of equal-width confidence bins for calibration.</param>
    public MulticlassMetricsAccumulator(int classCount, int topK = 0, IReadOnlyList<string>? classNames = null,
        int topLossCount = 16, int calibrationBins = 15)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "At least one class is needed.");
        if (topK < 0 || topK > classCount)
            throw new ArgumentOutOfRangeException(nameof(topK), topK, $"Top-k must lie in [0, {classCount}] (the number of classes).");
        if (classNames is not null && classNames.Count != classCount)
            throw new ArgumentException($"Expected {classCount} class names, got {classNames.Count}.", nameof(classNames));
        ArgumentOutOfRangeException.ThrowIfNegative(topLossCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(calibrationBins, 1);
        _classes = classCount;
        _topK = topK;
        _classNames = classNames;
        _topLossCount = topLossCount;
        _calibrationBins = calibrationBins;
        _matrix = new long[classCount, classCount];
        _labelCounts = new long[classCount];
        _logLossPerClass = new double[classCount];
        _topKHits = new long[Math.Max(topK, 1)];
        _binCounts = new long[calibrationBins];
        _binConfidence = new double[calibrationBins];
        _binCorrect = new long[calibrationBins];
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount => _classes;

    /// <summary>
    /// Adds one row. A negative <paramref name="label"/> means missing: the row is skipped. A row with a NaN or
    /// infinite score is skipped. A label at or above the class count gets log-loss -ln(1e-15), counts as wrong
    /// and has no confusion-matrix entry.
    /// </summary>
    /// <param name="label">True class index (0-based), negative when missing.</param>
    /// <param name="scores">One score per class (probabilities for log-loss to be meaningful).</param>
    /// <param name="rowId">Identifies the row in <see cref="MulticlassClassificationMetrics.TopLosses"/>; -1 uses the running row number.</param>
    public void Update(int label, ReadOnlySpan<float> scores, long rowId = -1)
    {
        if (scores.Length != _classes)
            throw new ArgumentException($"Expected {_classes} scores, got {scores.Length}.", nameof(scores));
        if (rowId < 0) rowId = _rows + _skipped;
        if (label < 0 || !AllFinite(scores))
        {
            _skipped++;
            return;
        }

        int predicted = 0;
        float best = scores[0];
        for (int c = 1; c < scores.Length; c++)
        {
            if (scores[c] > best)
            {
                best = scores[c];
                predicted = c;
            }
        }

        _rows++;
        double loss;
        if (label >= _classes)
        {
            loss = -Math.Log(Epsilon);
            _outOfRangeLabels[label] = _outOfRangeLabels.GetValueOrDefault(label) + 1;
        }
        else
        {
            float target = scores[label];
            int rank = 0;
            for (int c = 0; c < scores.Length; c++)
            {
                if (scores[c] > target || (scores[c] == target && c < label)) rank++;
            }
            loss = -Math.Log(Math.Clamp((double)target, Epsilon, 1.0));
            _labelCounts[label]++;
            _logLossPerClass[label] += loss;
            _matrix[label, predicted]++;
            if (rank == 0) _correct++;
            for (int k = rank; k < _topK; k++) _topKHits[k]++;
        }
        _logLossSum += loss;

        int bin = Math.Min(_calibrationBins - 1, (int)(Math.Clamp(best, 0f, 1f) * _calibrationBins));
        _binCounts[bin]++;
        _binConfidence[bin] += best;
        if (predicted == label) _binCorrect[bin]++;

        OfferTopLoss(new TopLoss(rowId, label, predicted, best, loss));
    }

    /// <summary>Adds every row of a batch: <paramref name="scores"/> is [labels.Length, ClassCount].</summary>
    public void UpdateBatch(ReadOnlySpan<int> labels, ReadOnlySpan<float> scores, long firstRowId = -1)
    {
        if (scores.Length != labels.Length * _classes)
            throw new ArgumentException($"Expected {labels.Length} x {_classes} scores, got {scores.Length}.", nameof(scores));
        for (int i = 0; i < labels.Length; i++)
            Update(labels[i], scores.Slice(i * _classes, _classes), firstRowId < 0 ? -1 : firstRowId + i);
    }

    /// <summary>Adds the rows counted by <paramref name="other"/> (same class count and options).</summary>
    public void Merge(MulticlassMetricsAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._classes != _classes || other._topK != _topK || other._calibrationBins != _calibrationBins)
            throw new ArgumentException("Only accumulators with the same class count, top-k and bins can be merged.", nameof(other));
        for (int r = 0; r < _classes; r++)
        {
            for (int c = 0; c < _classes; c++) _matrix[r, c] += other._matrix[r, c];
            _labelCounts[r] += other._labelCounts[r];
            _logLossPerClass[r] += other._logLossPerClass[r];
        }
        for (int k = 0; k < _topKHits.Length; k++) _topKHits[k] += other._topKHits[k];
        for (int b = 0; b < _calibrationBins; b++)
        {
            _binCounts[b] += other._binCounts[b];
            _binConfidence[b] += other._binConfidence[b];
            _binCorrect[b] += other._binCorrect[b];
        }
        foreach (var (label, count) in other._outOfRangeLabels)
            _outOfRangeLabels[label] = _outOfRangeLabels.GetValueOrDefault(label) + count;
        foreach (var (loss, _) in other._topLosses.UnorderedItems) OfferTopLoss(loss);
        _logLossSum += other._logLossSum;
        _rows += other._rows;
        _correct += other._correct;
        _skipped += other._skipped;
    }

    /// <summary>Forgets every row.</summary>
    public void Reset()
    {
        _matrix = new long[_classes, _classes];
        _labelCounts = new long[_classes];
        _logLossPerClass = new double[_classes];
        _topKHits = new long[_topKHits.Length];
        _binCounts = new long[_calibrationBins];
        _binConfidence = new double[_calibrationBins];
        _binCorrect = new long[_calibrationBins];
        _outOfRangeLabels = new Dictionary<int, long>();
        _topLosses = new PriorityQueue<TopLoss, (double, long)>();
        _logLossSum = 0;
        _rows = _correct = _skipped = 0;
    }

    /// <summary>Computes the metrics of the rows seen so far.</summary>
    /// <exception cref="InvalidOperationException">No row with a label and finite scores was seen.</exception>
    public MulticlassClassificationMetrics Compute()
    {
        if (_rows == 0)
            throw new InvalidOperationException($"No rows to evaluate: {_skipped} row(s) were skipped for a missing label or non-finite scores.");

        var matrix = new ConfusionMatrix(_matrix, _classNames);
        double n = _rows;
        double logLoss = _logLossSum / n;

        double prior = 0;
        foreach (long count in _labelCounts.Concat(_outOfRangeLabels.Values))
        {
            if (count == 0) continue;
            double p = count / n;
            prior -= p * Math.Log(p);
        }
        double reduction = prior == 0 ? double.NaN : (prior - logLoss) / prior;

        double macroAccuracy = 0;
        int present = 0;
        var perClassLogLoss = new double[_classes];
        var f1 = new double[_classes];
        long[] predictedCounts = new long[_classes];
        for (int c = 0; c < _classes; c++)
            for (int r = 0; r < _classes; r++) predictedCounts[c] += _matrix[r, c];
        double macroF1 = 0, weightedF1 = 0;
        int f1Classes = 0;
        long inRange = _labelCounts.Sum();
        for (int c = 0; c < _classes; c++)
        {
            perClassLogLoss[c] = _logLossPerClass[c] / _labelCounts[c]; // NaN for an absent class, as ML.NET
            double p = matrix.PerClassPrecision[c], r = matrix.PerClassRecall[c];
            f1[c] = p + r == 0 ? 0 : 2 * p * r / (p + r);
            if (_labelCounts[c] > 0)
            {
                macroAccuracy += (double)_matrix[c, c] / _labelCounts[c];
                present++;
                weightedF1 += f1[c] * _labelCounts[c];
            }
            if (_labelCounts[c] > 0 || predictedCounts[c] > 0)
            {
                macroF1 += f1[c];
                f1Classes++;
            }
        }
        macroAccuracy = present == 0 ? 0 : macroAccuracy / present;

        double kappa = 0;
        if (inRange > 0)
        {
            double po = 0, pe = 0;
            for (int c = 0; c < _classes; c++)
            {
                po += _matrix[c, c];
                pe += (double)_labelCounts[c] * predictedCounts[c];
            }
            po /= inRange;
            pe /= (double)inRange * inRange;
            kappa = pe == 1 ? (po == 1 ? 1 : 0) : (po - pe) / (1 - pe);
        }

        var bins = new CalibrationBin[_calibrationBins];
        double ece = 0;
        for (int b = 0; b < _calibrationBins; b++)
        {
            long count = _binCounts[b];
            double conf = count == 0 ? 0 : _binConfidence[b] / count;
            double acc = count == 0 ? 0 : (double)_binCorrect[b] / count;
            bins[b] = new CalibrationBin((double)b / _calibrationBins, (double)(b + 1) / _calibrationBins, count, conf, acc);
            ece += count / n * Math.Abs(acc - conf);
        }

        IReadOnlyList<double>? topKAll = _topK == 0 ? null : _topKHits.Take(_topK).Select(h => h / n).ToArray();
        var topLosses = _topLosses.UnorderedItems.Select(x => x.Element)
            .OrderByDescending(t => t.Loss).ThenBy(t => t.RowId).ToArray();
        var confused = new List<ClassConfusion>();
        for (int r = 0; r < _classes; r++)
            for (int c = 0; c < _classes; c++)
                if (r != c && _matrix[r, c] > 0)
                    confused.Add(new ClassConfusion(r, c, matrix.ClassNames[r], matrix.ClassNames[c], _matrix[r, c]));

        return new MulticlassClassificationMetrics
        {
            MicroAccuracy = _correct / n,
            MacroAccuracy = macroAccuracy,
            LogLoss = logLoss,
            LogLossReduction = reduction,
            TopKPredictionCount = _topK,
            TopKAccuracy = topKAll is null ? 0 : topKAll[^1],
            TopKAccuracyForAllK = topKAll,
            PerClassLogLoss = perClassLogLoss,
            ConfusionMatrix = matrix,
            PerClassF1 = f1,
            MacroF1 = f1Classes == 0 ? 0 : macroF1 / f1Classes,
            WeightedF1 = inRange == 0 ? 0 : weightedF1 / inRange,
            BalancedAccuracy = macroAccuracy,
            CohenKappa = kappa,
            ExpectedCalibrationError = ece,
            CalibrationBins = bins,
            TopLosses = topLosses,
            MostConfused = confused.OrderByDescending(x => x.Count).ThenBy(x => x.TrueClass).ThenBy(x => x.PredictedClass).ToArray(),
            RowCount = _rows,
            SkippedRowCount = _skipped,
        };
    }

    private void OfferTopLoss(TopLoss loss)
    {
        if (_topLossCount == 0) return;
        // The queue's minimum is the weakest kept entry: lowest loss, then highest row id.
        var priority = (loss.Loss, -loss.RowId);
        if (_topLosses.Count < _topLossCount)
        {
            _topLosses.Enqueue(loss, priority);
        }
        else if (_topLosses.TryPeek(out _, out var weakest) && priority.CompareTo(weakest) > 0)
        {
            _topLosses.DequeueEnqueue(loss, priority);
        }
    }

    private static bool AllFinite(ReadOnlySpan<float> scores)
    {
        foreach (float s in scores)
            if (!float.IsFinite(s)) return false;
        return true;
    }
}
