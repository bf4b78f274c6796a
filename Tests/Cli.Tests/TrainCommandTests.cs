using System.Diagnostics;

namespace MlPipelines.Cli.Tests;

[TestClass]
public sealed class TrainCommandTests
{
    [TestMethod]
    public void Train_WritesModelHistoryMetricsAndJob_ThenSummaryReadsTheModel_AndTheJobFileRepeatsTheRun()
    {
        string dir = Mlp.TempFolder();
        try
        {
            Mlp.WriteBars(Path.Combine(dir, "data"), "bars", 240, 60);
            var (code, stdout, stderr) = Mlp.Run(dir, "train", "--data", "data", "--prefix", "bars", "--epochs", "3", "--batch-size", "16",
                "--threads", "1", "--pct-start", "0.15", "--div-factor", "10", "--final-div-factor", "100", "--output", "run1");
            Assert.AreEqual(0, code, stderr);
            foreach (string file in new[] { "model.zip", "history.csv", "history.json", "metrics.txt", "job.json" })
                Assert.IsTrue(File.Exists(Path.Combine(dir, "run1", file)), file);
            StringAssert.Contains(stdout, "Test metrics (60 images)");
            var accuracy = double.Parse(stdout.Split("micro accuracy ")[1].Split(" %")[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.IsGreaterThan(80.0, accuracy, "three bar patterns are easy to tell apart");
            Assert.HasCount(4, File.ReadAllLines(Path.Combine(dir, "run1", "history.csv")));

            var summary = Mlp.Run(dir, "summary", "--model", Path.Combine("run1", "model.zip"));
            Assert.AreEqual(0, summary.ExitCode, summary.Err);
            StringAssert.Contains(summary.Out, "lenet5");
            StringAssert.Contains(summary.Out, "Input shape: [1, 1, 16, 16]");
            StringAssert.Contains(summary.Out, "Output shape: [1, 3]");

            // The one-cycle shape given on the command line is the job's (and so the repeat's) too.
            StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "run1", "job.json")), "\"pctStart\": 0.15");

            // The job file written into the output repeats the run exactly (same seed, same thread count).
            string job = File.ReadAllText(Path.Combine(dir, "run1", "job.json")).Replace("\"run1\"", "\"run2\"", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(dir, "job.json"), job);
            var again = Mlp.Run(dir, "train", "--config", "job.json");
            Assert.AreEqual(0, again.ExitCode, again.Err);
            Assert.AreEqual(File.ReadAllText(Path.Combine(dir, "run1", "metrics.txt")), File.ReadAllText(Path.Combine(dir, "run2", "metrics.txt")));
            Assert.AreEqual(Column(Path.Combine(dir, "run1", "history.csv"), 1), Column(Path.Combine(dir, "run2", "history.csv"), 1));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void TrainFrom_WithCutAndMlpHead_TrainsTheNewHead_AndBadCutsOrHeadsFailClearly()
    {
        string dir = Mlp.TempFolder();
        try
        {
            Mlp.WriteBars(Path.Combine(dir, "data"), "bars", 240, 60);
            string[] common = ["train", "--data", "data", "--prefix", "bars", "--batch-size", "16", "--threads", "1"];
            var base_ = Mlp.Run(dir, [.. common, "--epochs", "2", "--output", "base"]);
            Assert.AreEqual(0, base_.ExitCode, base_.Err);

            var cut = Mlp.Run(dir, [.. common, "--epochs", "2", "--from", "base/model.zip", "--transfer", "featureextraction", "--cut", "pool2", "--head", "mlp:16",
                "--output", "cut"]);
            Assert.AreEqual(0, cut.ExitCode, cut.Err);
            StringAssert.Contains(cut.Out, "after 'pool2'");
            StringAssert.Contains(cut.Out, "new mlp:16:0.2 head");
            var summary = Mlp.Run(dir, "summary", "--model", Path.Combine("cut", "model.zip"));
            Assert.AreEqual(0, summary.ExitCode, summary.Err);
            StringAssert.Contains(summary.Out, "Output shape: [1, 3]");
            StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "cut", "job.json")), "\"mlp:16\"");

            foreach (var (args, expected) in new (string[], string)[]
            {
                (["--from", "base/model.zip", "--cut", "conv9"], "no layer 'conv9' to cut at"),
                (["--from", "base/model.zip", "--head", "mlp"], "--head: Head 'mlp'"),
                (["--cut", "pool2"], "give it with --from"),
            })
            {
                var (code, _, err) = Mlp.Run(dir, [.. common, "--epochs", "1", .. args, "--output", "bad"]);
                Assert.AreEqual(2, code, $"{string.Join(' ', args)}: {err}");
                StringAssert.Contains(err, expected);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void SigkillMidEpoch_ThenResume_EndsWithTheSameLossesAndMetrics()
    {
        string dir = Mlp.TempFolder();
        try
        {
            Mlp.WriteBars(Path.Combine(dir, "data"), "bars", 960, 60);
            string[] common = ["train", "--data", "data", "--prefix", "bars", "--epochs", "4", "--batch-size", "8", "--threads", "1", "--checkpoint-every", "5"];
            var full = Mlp.Run(dir, [.. common, "--output", "full"]);
            Assert.AreEqual(0, full.ExitCode, full.Err);

            string checkpoint = Path.Combine(dir, "killed", "checkpoint", "checkpoint.mlpc");
            using (var process = Process.Start(Mlp.StartInfo(dir, [.. common, "--output", "killed"]))!)
            {
                _ = process.StandardOutput.ReadToEndAsync();
                _ = process.StandardError.ReadToEndAsync();
                var clock = Stopwatch.StartNew();
                while (!File.Exists(checkpoint) && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(5);
                Thread.Sleep(30); // somewhere inside the run (480 steps), between checkpoints
                Assert.IsFalse(process.HasExited, "the run ended before it could be killed; make it longer");
                process.Kill(); // SIGKILL: no handler runs
                process.WaitForExit();
            }
            Assert.IsTrue(File.Exists(checkpoint));
            var resumed = Mlp.Run(dir, [.. common, "--output", "killed", "--resume"]);
            Assert.AreEqual(0, resumed.ExitCode, resumed.Err);
            Assert.AreEqual(File.ReadAllText(Path.Combine(dir, "full", "metrics.txt")), File.ReadAllText(Path.Combine(dir, "killed", "metrics.txt")));
            Assert.AreEqual(Column(Path.Combine(dir, "full", "history.csv"), 1), Column(Path.Combine(dir, "killed", "history.csv"), 1), "train losses per epoch");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void MonitorTest_ScoresTheTestSetEveryEpoch_AndItsLastScoreIsTheFinalMetric()
    {
        string dir = Mlp.TempFolder();
        try
        {
            Mlp.WriteBars(Path.Combine(dir, "data"), "bars", 120, 45);
            var (code, stdout, stderr) = Mlp.Run(dir, "train", "--data", "data", "--prefix", "bars", "--epochs", "2", "--batch-size", "16",
                "--threads", "1", "--monitor-test", "--output", "run");
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, "validating on 45");
            string[] rows = File.ReadAllLines(Path.Combine(dir, "run", "history.csv"));
            int column = Array.IndexOf(rows[0].Split(','), "validation_accuracy");
            Assert.IsGreaterThanOrEqualTo(0, column, rows[0]);
            double[] perEpoch = rows.Skip(1).Select(r => double.Parse(r.Split(',')[column], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.HasCount(2, perEpoch);
            double final = double.Parse(stdout.Split("micro accuracy ")[1].Split(" %")[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.AreEqual(final, perEpoch[^1] * 100, 0.006, "the last epoch's validation accuracy is the test accuracy");

            var refused = Mlp.Run(dir, "train", "--data", "data", "--prefix", "bars", "--monitor-test", "--validation-fraction", "0.2");
            Assert.AreEqual(2, refused.ExitCode, refused.Err);
            StringAssert.Contains(refused.Err, "--monitor-test");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void UserMistakes_PrintOneLine_AndExitWithCode2()
    {
        string dir = Mlp.TempFolder();
        try
        {
            Mlp.WriteBars(Path.Combine(dir, "data"), "bars", 30, 9);
            Mlp.WriteBars(Path.Combine(dir, "one"), "one", 10, 4, classes: 1);
            File.WriteAllText(Path.Combine(dir, "bad.json"), "{ \"epochz\": 3 }");
            File.WriteAllText(Path.Combine(dir, "broken.zip"), "not a zip");
            var cases = new (string[] Args, string Expected)[]
            {
                (["train", "--data", "nowhere"], "Data folder not found"),
                (["train", "--data", "data", "--prefix", "bars", "--arch", "alexnet-9000"], "Unknown architecture 'alexnet-9000'"),
                (["train", "--data", "data", "--prefix", "bars", "--epochs", "0"], "Epochs must be at least 1"),
                (["train", "--data", "data", "--prefix", "missing"], "No missing-train-images-idx3-ubyte"),
                (["train", "--data", "one", "--prefix", "one"], "at least two classes"),
                (["train", "--config", "bad.json"], "epochz"),
                (["train", "--data", "data", "--prefix", "bars", "--output", "fresh", "--resume"], "Nothing to resume"),
                (["summary", "--model", "broken.zip"], "not a readable model file"),
                (["summary", "--model", "absent.zip"], "Model file not found"),
                (["summary", "--arch", "resnet18", "--classes", "1"], "--classes at least 2"),
            };
            foreach (var (args, expected) in cases)
            {
                var (code, _, err) = Mlp.Run(dir, args);
                string what = string.Join(' ', args);
                Assert.AreEqual(2, code, $"{what}: {err}");
                StringAssert.Contains(err, expected, what);
                Assert.AreEqual(1, err.Trim().Split('\n').Length, $"{what}: one line, no stack trace: {err}");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void EpochLineClock_ShowsHoursOnceARunPassesOne()
    {
        Assert.AreEqual("00:00", TrainingConsole.Clock(TimeSpan.Zero));
        Assert.AreEqual("59:59", TrainingConsole.Clock(TimeSpan.FromSeconds(3599)));
        Assert.AreEqual("1:01:09", TrainingConsole.Clock(TimeSpan.FromSeconds(3669)), "an hour in, the line used to say 01:09");
        Assert.AreEqual("26:00:00", TrainingConsole.Clock(TimeSpan.FromHours(26)));
    }

    private static string Column(string csv, int index) =>
        string.Join(";", File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')[index]));
}
