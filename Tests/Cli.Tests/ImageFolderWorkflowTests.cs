using System.Text.Json;

namespace MlPipelines.Cli.Tests;

[TestClass]
public sealed class ImageFolderWorkflowTests
{
    [TestMethod]
    public void FolderPerClass_TrainEvaluatePredictAugment()
    {
        string dir = Mlp.TempFolder();
        try
        {
            Mlp.WriteBarFolders(Path.Combine(dir, "train"), 40);
            Mlp.WriteBarFolders(Path.Combine(dir, "test"), 10, seed: 2);
            File.WriteAllText(Path.Combine(dir, "train", "class1", "broken.png"), "not an image");

            var failing = Mlp.Run(dir, "train", "--data", "train", "--test-data", "test", "--size", "16", "--epochs", "1", "--output", "bad");
            Assert.AreEqual(2, failing.ExitCode, failing.Err);
            StringAssert.Contains(failing.Err, "broken.png");

            var train = Mlp.Run(dir, "train", "--data", "train", "--test-data", "test", "--size", "16", "--grayscale", "--epochs", "4",
                "--batch-size", "8", "--threads", "1", "--skip-bad-files", "--output", "run");
            Assert.AreEqual(0, train.ExitCode, train.Err);
            StringAssert.Contains(train.Out, "Test metrics (30 images)");
            StringAssert.Contains(train.Out, "broken.png", "the skipped file is reported");
            foreach (string file in new[] { "model.zip", "report.html", "charts/loss.png", "charts/confusion-matrix.png" })
                Assert.IsTrue(File.Exists(Path.Combine(dir, "run", file)), file);
            string trainMetrics = File.ReadAllText(Path.Combine(dir, "run", "metrics.txt"));

            // A saved model evaluates to the same metrics in a fresh process.
            var evaluate = Mlp.Run(dir, "evaluate", "--model", "run/model.zip", "--data", "test", "--output", "eval");
            Assert.AreEqual(0, evaluate.ExitCode, evaluate.Err);
            Assert.AreEqual(trainMetrics, File.ReadAllText(Path.Combine(dir, "eval", "metrics.txt")));

            // Predict on raw files: every test image of class 2 gets a class and scores that sum to at most 1.
            var predict = Mlp.Run(dir, "predict", "--model", "run/model.zip", "test/class2", "--format", "json", "--top-k", "2");
            Assert.AreEqual(0, predict.ExitCode, predict.Err);
            using var json = JsonDocument.Parse(predict.Out);
            Assert.AreEqual(10, json.RootElement.GetArrayLength());
            int right = json.RootElement.EnumerateArray().Count(e => e.GetProperty("label").GetString() == "class2");
            Assert.IsGreaterThanOrEqualTo(7, right, $"{right}/10 images of class2 predicted as class2");
            foreach (var e in json.RootElement.EnumerateArray())
            {
                var top = e.GetProperty("top").EnumerateArray().Select(t => t.GetProperty("score").GetSingle()).ToArray();
                Assert.HasCount(2, top);
                Assert.IsTrue(top[0] >= top[1] && top.Sum() <= 1.0001f);
            }
            var csv = Mlp.Run(dir, "predict", "--model", "run/model.zip", "test/class0/*.png", "--output", "predictions.csv");
            Assert.AreEqual(0, csv.ExitCode, csv.Err);
            string[] lines = File.ReadAllLines(Path.Combine(dir, "predictions.csv"));
            Assert.HasCount(11, lines);
            Assert.StartsWith("path,label,score,label_1,score_1", lines[0]);

            var transfer = Mlp.Run(dir, "train", "--data", "train", "--test-data", "test", "--size", "16", "--grayscale", "--epochs", "3",
                "--batch-size", "8", "--threads", "1", "--skip-bad-files", "--from", "run/model.zip", "--transfer", "featureextraction", "--output", "transfer");
            Assert.AreEqual(0, transfer.ExitCode, transfer.Err);
            StringAssert.Contains(transfer.Out, "head included: same classes");

            var export = Mlp.Run(dir, "export", "--model", "run/model.zip", "--output", "model.onnx");
            Assert.AreEqual(0, export.ExitCode, export.Err);
            Assert.IsGreaterThan(10_000L, new FileInfo(Path.Combine(dir, "model.onnx")).Length);

            var augment = Mlp.Run(dir, "augment", "--image", "test/class0/000.png", "--output", "grid.png", "--count", "5", "--cell-size", "64");
            Assert.AreEqual(0, augment.ExitCode, augment.Err);
            var grid = DataPrep.Codecs.ImageCodecs.Decode(File.ReadAllBytes(Path.Combine(dir, "grid.png")));
            Assert.AreEqual(4 + 4 * (64 + 4), grid.Width, "four columns of 64-pixel cells with 4-pixel gutters");

            foreach (var (args, expected) in new (string[], string)[]
            {
                (["predict", "--model", "run/model.zip", "nowhere.png"], "Not found: nowhere.png"),
                (["predict", "--model", "run/model.zip", "test", "--format", "xml"], "Unknown format 'xml'"),
                (["evaluate", "--model", "run/model.zip", "--data", "nowhere"], "Data folder not found"),
                (["augment", "--image", "train/class1/broken.png"], "unrecognised image format"),
                (["augment", "--image", "test/class0/000.png", "--preset", "sparkle"], "Unknown preset 'sparkle'"),
            })
            {
                var (code, _, err) = Mlp.Run(dir, args);
                Assert.AreEqual(2, code, $"{string.Join(' ', args)}: {err}");
                StringAssert.Contains(err, expected);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
