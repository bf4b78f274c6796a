using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Trainers.Tests.Training;

/// <summary>Checkpoints and resume, callbacks, early stopping, soft targets, optimizers and the history files.</summary>
[TestClass]
public sealed class RunControlTests
{
    private static readonly ImageBatchSet Train = FashionSample.Batches("train", 192);
    private static readonly ImageBatchSet Validation = FashionSample.Batches("test", 96);

    /// <summary>A small net with every kind of state a checkpoint must carry: weights, batch-norm running statistics and dropout's random stream.</summary>
    private static Module TinyNet(ulong seed) => new Sequential()
        .Add("conv", new Conv2d(1, 4, 3, 1, 1, init: new SeededRandom(seed))).Add("bn", new BatchNorm2d(4)).Add("relu", new Relu())
        .Add("pool", new MaxPool2d(2)).Add("flatten", new Flatten()).Add("drop", new Dropout(0.2f))
        .Add("fc", new Linear(4 * 14 * 14, 10, init: new SeededRandom(seed + 1)));

    private static TrainingOptions Options => new()
    {
        Epochs = 3, BatchSize = 32, LearningRate = 0.05, Seed = 11, DegreeOfParallelism = 2, HorizontalFlip = true, CropPadding = 2,
    };

    private static float[] Weights(Module m) => [.. m.StateDict().Values.SelectMany(t => t.Span.ToArray())];

    private static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlp-ckpt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [TestMethod]
    public void ResumeAfterAKillMidEpoch_EndsWithBitIdenticalWeights()
    {
        var reference = TinyNet(1);
        var expected = new SupervisedTrainer(reference, Options).Fit(Train, Validation);

        string dir = TempDir();
        try
        {
            // Checkpoints every 4 steps (6 steps an epoch); the "kill" comes at epoch 2, step 5, one step after a checkpoint:
            // everything after it is lost, as with SIGKILL (the checkpoint file is only ever replaced by a rename).
            var killed = TinyNet(1);
            var kill = new ThrowAt(epoch: 2, step: 5);
            Assert.ThrowsExactly<SimulatedKillException>(() =>
                new SupervisedTrainer(killed, Options with { CheckpointDirectory = dir, CheckpointEverySteps = 4, Callbacks = [kill] }).Fit(Train, Validation));
            Assert.IsTrue(File.Exists(Path.Combine(dir, "checkpoint.mlpc")));
            Assert.IsEmpty(Directory.GetFiles(dir, "*.tmp*"), "no temporary files are left behind");

            var resumedModel = TinyNet(99); // other initial weights: the checkpoint must overwrite all of them
            var resumed = new SupervisedTrainer(resumedModel, Options with { ResumeFrom = dir, CheckpointDirectory = dir }).Fit(Train, Validation);
            CollectionAssert.AreEqual(Weights(reference), Weights(resumedModel), "weights after resume must be bit-identical");
            Assert.HasCount(expected.Count, resumed);
            for (int e = 0; e < expected.Count; e++)
            {
                Assert.AreEqual(expected[e].TrainLoss, resumed[e].TrainLoss, 0.0, $"epoch {e + 1} train loss");
                Assert.AreEqual(expected[e].ValidationLoss!.Value, resumed[e].ValidationLoss!.Value, 0.0, $"epoch {e + 1} validation loss");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void Cancellation_WritesACheckpoint_ThatResumesToTheSameWeights()
    {
        var reference = TinyNet(2);
        new SupervisedTrainer(reference, Options with { Epochs = 2 }).Fit(Train);
        string dir = TempDir();
        try
        {
            using var cts = new CancellationTokenSource();
            var cancel = new CallOnBatch((s) => { if (s.Epoch == 1 && s.Step == 3) cts.Cancel(); });
            Assert.ThrowsExactly<OperationCanceledException>(() =>
                new SupervisedTrainer(TinyNet(2), Options with { Epochs = 2, CheckpointDirectory = dir, Callbacks = [cancel] }).Fit(Train, null, null, cts.Token));
            var resumedModel = TinyNet(5);
            new SupervisedTrainer(resumedModel, Options with { Epochs = 2, ResumeFrom = Path.Combine(dir, "checkpoint.mlpc") }).Fit(Train);
            CollectionAssert.AreEqual(Weights(reference), Weights(resumedModel));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void Resume_RejectsOtherSettings_AndCorruptFiles()
    {
        string dir = TempDir();
        try
        {
            new SupervisedTrainer(TinyNet(3), Options with { Epochs = 1, CheckpointDirectory = dir }).Fit(Train);
            var other = Assert.ThrowsExactly<InvalidOperationException>(() =>
                new SupervisedTrainer(TinyNet(3), Options with { Epochs = 1, LearningRate = 0.1, ResumeFrom = dir }).Fit(Train));
            StringAssert.Contains(other.Message, "optimizer");

            string path = Path.Combine(dir, "checkpoint.mlpc");
            byte[] bytes = File.ReadAllBytes(path);
            foreach (int keep in new[] { 0, 5, 12, bytes.Length / 2, bytes.Length - 1 })
            {
                File.WriteAllBytes(path, bytes[..keep]);
                var ex = Assert.ThrowsExactly<InvalidDataException>(() =>
                    new SupervisedTrainer(TinyNet(3), Options with { Epochs = 1, ResumeFrom = path }).Fit(Train), $"truncated to {keep} bytes");
                StringAssert.Contains(ex.Message, path);
            }
            var huge = (byte[])bytes.Clone();
            BitConverter.TryWriteBytes(huge.AsSpan(8), int.MaxValue); // header length beyond the file
            File.WriteAllBytes(path, huge);
            Assert.ThrowsExactly<InvalidDataException>(() => new SupervisedTrainer(TinyNet(3), Options with { Epochs = 1, ResumeFrom = path }).Fit(Train));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void Callbacks_SeeTheRunInOrder_AndCanStopIt()
    {
        var log = new List<string>();
        var recorder = new Recorder(log, stopAt: (1, 2));
        var trainer = new SupervisedTrainer(TinyNet(4), Options with { Callbacks = [recorder] });
        var history = trainer.Fit(Train);
        CollectionAssert.AreEqual(new[] { "train-begin", "epoch-begin 1", "batch 1.1", "batch 1.2", "epoch-end 1", "train-end 1" }, log);
        Assert.HasCount(1, history);
        Assert.IsTrue(trainer.StoppedEarly);
    }

    [TestMethod]
    public void EarlyStopping_StopsAfterPatience_AndRestoresTheBestWeights()
    {
        float[]? afterEpoch1 = null;
        var snapshot = new CallOnEpochEnd((s, m) => { if (m.Epoch == 1) afterEpoch1 = Weights(s.Model); });
        // A min delta no epoch can beat makes epoch 1 the best and stops after `patience` more epochs.
        var es = new EarlyStoppingOptions { Metric = MonitoredMetric.ValidationAccuracy, Patience = 1, MinDelta = 2.0 };
        var model = TinyNet(5);
        var trainer = new SupervisedTrainer(model, Options with { Epochs = 3, EarlyStopping = es, Callbacks = [snapshot] });
        var history = trainer.Fit(Train, Validation);
        Assert.HasCount(2, history);
        Assert.IsTrue(trainer.StoppedEarly);
        Assert.AreEqual(1, trainer.RestoredEpoch);
        CollectionAssert.AreEqual(afterEpoch1, Weights(model));
        Assert.ThrowsExactly<ArgumentException>(() => new SupervisedTrainer(TinyNet(5), Options with { EarlyStopping = es }).Fit(Train));
    }

    [TestMethod]
    public void OneHotSoftTargets_TrainLikeHardLabels()
    {
        var hard = FashionSample.Batches("train", 64);
        var oneHot = new float[hard.Count * 10];
        for (int i = 0; i < hard.Count; i++) oneHot[i * 10 + hard.Labels[i]] = 1;
        var soft = ImageBatchSet.WithSoftTargets(hard.Images, oneHot, 1, 28, 28, 10);
        CollectionAssert.AreEqual(hard.Labels, soft.Labels);
        var a = new List<double>();
        var b = new List<double>();
        var options = Options with { Epochs = 1, HorizontalFlip = false, CropPadding = 0 };
        new SupervisedTrainer(TinyNet(6), options).Fit(hard, null, new Losses(a));
        new SupervisedTrainer(TinyNet(6), options).Fit(soft, null, new Losses(b));
        Assert.HasCount(a.Count, b);
        for (int i = 0; i < a.Count; i++) Assert.AreEqual(a[i], b[i], 1e-5 * Math.Max(1, a[i]), $"step {i + 1}");
        Assert.ThrowsExactly<ArgumentException>(() => ImageBatchSet.WithSoftTargets(hard.Images, new float[hard.Count * 10], 1, 28, 28, 10), "rows must sum to one");
    }

    [TestMethod]
    public void MixUpAndCutMix_MixTheBatches_Reproducibly_AndResumeBitIdentically()
    {
        var mixing = Options with { Epochs = 2, MixUpAlpha = 0.4, CutMixAlpha = 1.0, MixProbability = 0.8 };
        List<double> Losses(TrainingOptions o)
        {
            var list = new List<double>();
            new SupervisedTrainer(TinyNet(9), o).Fit(Train, null, new Losses(list));
            return list;
        }
        var plain = Losses(Options with { Epochs = 2 });
        var mixed = Losses(mixing);
        CollectionAssert.AreNotEqual(plain, mixed, "mixing changes what the network sees");
        CollectionAssert.AreEqual(mixed, Losses(mixing), "the same seed mixes the same way");

        var reference = TinyNet(9);
        new SupervisedTrainer(reference, mixing).Fit(Train);
        string dir = TempDir();
        try
        {
            Assert.ThrowsExactly<SimulatedKillException>(() =>
                new SupervisedTrainer(TinyNet(9), mixing with { CheckpointDirectory = dir, CheckpointEverySteps = 2, Callbacks = [new ThrowAt(2, 3)] }).Fit(Train));
            var resumed = TinyNet(1);
            new SupervisedTrainer(resumed, mixing with { ResumeFrom = dir }).Fit(Train);
            CollectionAssert.AreEqual(Weights(reference), Weights(resumed));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void EveryOptimizerAndSchedule_LowersTheLoss()
    {
        foreach (var (optimizer, lr) in new[] { (OptimizerKind.Sgd, 0.05), (OptimizerKind.Adam, 2e-3), (OptimizerKind.AdamW, 2e-3) })
            foreach (var schedule in Enum.GetValues<LearningRateScheduleKind>())
            {
                var o = Options with { Epochs = 3, Optimizer = optimizer, LearningRate = lr, Schedule = schedule, WarmupEpochs = 1, StepEpochs = 1, StepGamma = 0.5 };
                var history = new SupervisedTrainer(TinyNet(7), o).Fit(Train);
                Assert.IsLessThan(history[0].TrainLoss, history[^1].TrainLoss, $"{optimizer}/{schedule}: {history[0].TrainLoss} -> {history[^1].TrainLoss}");
                if (schedule == LearningRateScheduleKind.Step) Assert.AreEqual(lr * 0.25, history[^1].LearningRate, lr * 1e-9, "two decays by 0.5 before the last epoch");
                if (schedule == LearningRateScheduleKind.Constant) Assert.AreEqual(lr, history[^1].LearningRate, lr * 1e-12);
            }
    }

    [TestMethod]
    [DoNotParallelize]
    public void TrainingLoop_AllocatesNothingPerBatch()
    {
        // Flips and padded crops draw from a stream per example: a value type, not an object per example. Twelve more
        // batches may cost only what scales with the data set once (the epoch's order array), not anything per batch.
        var few = FashionSample.Batches("train", 64);
        var many = FashionSample.Batches("train", 256);
        long Allocated(ImageBatchSet data)
        {
            var trainer = new SupervisedTrainer(TinyNet(1), Options with { Epochs = 1, BatchSize = 16, DegreeOfParallelism = 1 });
            long before = GC.GetAllocatedBytesForCurrentThread();
            trainer.Fit(data);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(few);
        Allocated(many);
        // The smaller of two runs: a gen-2 collection in the window trims the shared array pools, and the rents after it
        // allocate once (a few KiB, seen once in a full CI run), which is not a per-batch cost.
        long extra = Math.Min(Allocated(many), Allocated(many)) - Allocated(few);
        Assert.IsLessThan(2048L, extra, $"{extra} bytes more for 12 more batches of 16");
    }

    [TestMethod]
    public void OneCycle_FollowsItsWarmUpFractionAndDivisors()
    {
        // PyTorch's OneCycleLR with pct_start 0.15, div_factor 10, final_div_factor 100 (the time-to-accuracy recipe):
        // the first step runs at peak / 10, the peak comes 15 % in, the last step runs at peak / 1000.
        const double peak = 0.05;
        var o = Options with { Epochs = 2, LearningRate = peak, OneCyclePctStart = 0.15, OneCycleDivFactor = 10, OneCycleFinalDivFactor = 100 };
        var rates = new List<double>();
        new SupervisedTrainer(TinyNet(3), o).Fit(Train, null, new Rates(rates));
        Assert.AreEqual(peak / 10, rates[0], peak * 1e-9, "first step");
        Assert.AreEqual(peak / 1000, rates[^1], peak * 1e-9, "last step");
        int top = rates.IndexOf(rates.Max());
        Assert.AreEqual(Math.Round(0.15 * rates.Count - 1), top, 1, $"the peak at step {top} of {rates.Count}");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (Options with { OneCyclePctStart = 1 }).Validate());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (Options with { OneCycleDivFactor = 0.5 }).Validate());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (Options with { OneCycleFinalDivFactor = double.NaN }).Validate());
    }

    [TestMethod]
    public void History_WritesCsvAndJson_ThatReadBack()
    {
        var history = new TrainingHistory(new SupervisedTrainer(TinyNet(8), Options with { Epochs = 2 }).Fit(Train, Validation));
        string dir = TempDir();
        try
        {
            string csv = Path.Combine(dir, "history.csv"), json = Path.Combine(dir, "history.json");
            history.Save(csv);
            history.Save(json);
            string[] lines = File.ReadAllLines(csv);
            Assert.HasCount(3, lines);
            Assert.StartsWith("epoch,train_loss,", lines[0]);
            string[] cells = lines[2].Split(',');
            Assert.AreEqual(history[1].TrainLoss, double.Parse(cells[1], System.Globalization.CultureInfo.InvariantCulture), 0.0);
            Assert.AreEqual(history[1].ValidationAccuracy!.Value, double.Parse(cells[4], System.Globalization.CultureInfo.InvariantCulture), 0.0);
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
            Assert.AreEqual(2, doc.RootElement.GetArrayLength());
            Assert.AreEqual(history[0].TrainLoss, doc.RootElement[0].GetProperty("trainLoss").GetDouble(), 0.0);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private sealed class SimulatedKillException : Exception;

    private sealed class ThrowAt(int epoch, int step) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingState state)
        {
            if (state.Epoch == epoch && state.Step == step) throw new SimulatedKillException();
        }
    }

    private sealed class CallOnBatch(Action<TrainingState> action) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingState state) => action(state);
    }

    private sealed class CallOnEpochEnd(Action<TrainingState, EpochMetrics> action) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingState state, EpochMetrics metrics) => action(state, metrics);
    }

    private sealed class Recorder(List<string> log, (int Epoch, int Step) stopAt) : TrainingCallback
    {
        public override void OnTrainBegin(TrainingState state) => log.Add("train-begin");

        public override void OnEpochBegin(TrainingState state) => log.Add($"epoch-begin {state.Epoch}");

        public override void OnBatchEnd(TrainingState state)
        {
            log.Add($"batch {state.Epoch}.{state.Step}");
            if ((state.Epoch, state.Step) == stopAt) state.StopTraining = true;
        }

        public override void OnEpochEnd(TrainingState state, EpochMetrics metrics) => log.Add($"epoch-end {metrics.Epoch}");

        public override void OnTrainEnd(TrainingState state, IReadOnlyList<EpochMetrics> history) => log.Add($"train-end {history.Count}");
    }

    private sealed class Rates(List<double> rates) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (!value.IsEpochEnd) rates.Add(value.LearningRate);
        }
    }

    private sealed class Losses(List<double> losses) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (!value.IsEpochEnd) losses.Add(value.Loss);
        }
    }
}
