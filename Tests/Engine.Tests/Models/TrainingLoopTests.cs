using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Models;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Engine.Optim;

namespace MlPipelines.Engine.Tests.Models;

/// <summary>The reference models trained by a plain loop on a small seeded synthetic set: the loss falls, accuracy clears chance, and runs reproduce bit for bit.</summary>
[TestClass]
public sealed class TrainingLoopTests
{
    private const int Classes = 4;

    /// <summary>28x28 images of four pattern classes (horizontal stripes, vertical stripes, a diagonal, a centred blob) with noise.</summary>
    internal static (float[] Images, int[] Labels) Synthetic(int count, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var images = new float[count * 28 * 28];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            int c = n % Classes;
            labels[n] = c;
            int phase = rng.NextInt(4);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    float v = c switch
                    {
                        0 => (y + phase) % 6 < 3 ? 1 : 0,
                        1 => (x + phase) % 6 < 3 ? 1 : 0,
                        2 => Math.Abs(x - y - phase) < 3 ? 1 : 0,
                        _ => (x - 14) * (x - 14) + (y - 14) * (y - 14) < 40 + 10 * phase ? 1 : 0,
                    };
                    images[n * 784 + y * 28 + x] = v + 0.3f * rng.NextNormal();
                }
        }
        return (images, labels);
    }

    /// <summary>Trains for the given epochs; returns the per-batch losses and the final training accuracy.</summary>
    internal static (List<double> Losses, double Accuracy) Train(Module model, int threads, int epochs, float[] images, int[] labels, double lr)
    {
        var ctx = new StepContext(new ComputeConfig { DegreeOfParallelism = threads, Seed = 5 });
        var opt = new Sgd(model.Parameters(), new SgdOptions { LearningRate = lr, Momentum = 0.9, WeightDecay = 5e-4 });
        var loss = new CrossEntropyLoss();
        const int batch = 32;
        int n = labels.Length;
        var losses = new List<double>();
        var x = new Tensor(batch, 1, 28, 28);
        var y = new int[batch];
        var order = Enumerable.Range(0, n).ToArray();
        var shuffle = new SeededRandom(11);
        for (int e = 0; e < epochs; e++)
        {
            shuffle.Shuffle(order.AsSpan());
            for (int b = 0; b + batch <= n; b += batch)
            {
                for (int i = 0; i < batch; i++)
                {
                    images.AsSpan(order[b + i] * 784, 784).CopyTo(x.Span.Slice(i * 784, 784));
                    y[i] = labels[order[b + i]];
                }
                ctx.BeginStep();
                opt.ZeroGrad();
                Tensor logits = model.Forward(x, ctx);
                losses.Add(loss.Forward(logits, y, ctx));
                model.Backward(loss.Gradient!, ctx);
                opt.Step();
            }
        }
        model.Eval();
        int correct = 0;
        var evalCtx = new StepContext(ComputeConfig.SingleThreaded()) { RecordForBackward = false };
        for (int b = 0; b + batch <= n; b += batch)
        {
            images.AsSpan(b * 784, batch * 784).CopyTo(x.Span);
            evalCtx.BeginStep();
            Tensor logits = model.Forward(x, evalCtx);
            for (int i = 0; i < batch; i++)
            {
                ReadOnlySpan<float> row = logits.Span.Slice(i * Classes, Classes);
                int arg = 0;
                for (int k = 1; k < Classes; k++) if (row[k] > row[arg]) arg = k;
                if (arg == labels[b + i]) correct++;
            }
        }
        model.Train();
        return (losses, correct / (double)(n / batch * batch));
    }

    [TestMethod]
    public void LeNet5_LossFalls_AndLearnsThePatterns()
    {
        var (images, labels) = Synthetic(256, 1);
        var (losses, accuracy) = Train(ReferenceModels.LeNet5(classes: Classes, seed: 3), 1, 6, images, labels, 0.05);
        double first = losses.Take(8).Average(), last = losses.TakeLast(8).Average();
        Assert.IsLessThan(first * 0.5, last, $"loss {first:F3} -> {last:F3}");
        Assert.IsGreaterThan(0.6, accuracy, $"training accuracy {accuracy:P1} (chance is 25 %)");
    }

    [TestMethod]
    public void ResNet20_LossFalls()
    {
        var (images, labels) = Synthetic(128, 2);
        // Twelve steps are too few for batch norm's running statistics to settle, so only the training loss is judged.
        var (losses, _) = Train(ReferenceModels.ResNetCifar(20, classes: Classes, seed: 4), 2, 3, images, labels, 0.05);
        double first = losses.Take(4).Average(), last = losses.TakeLast(4).Average();
        Assert.IsLessThan(first * 0.7, last, $"loss {first:F3} -> {last:F3}");
        Assert.IsLessThan(Math.Log(Classes) * 0.8, last, $"final loss {last:F3} is not below chance level");
    }

    [TestMethod]
    public void SameSeedAndThreads_GiveBitIdenticalWeights()
    {
        var (images, labels) = Synthetic(96, 3);
        foreach (int threads in new[] { 1, 2 })
        {
            var a = ReferenceModels.SmallVgg(classes: Classes, seed: 9);
            var b = ReferenceModels.SmallVgg(classes: Classes, seed: 9);
            var la = Train(a, threads, 1, images, labels, 0.02).Losses;
            var lb = Train(b, threads, 1, images, labels, 0.02).Losses;
            CollectionAssert.AreEqual(la, lb, $"loss sequence, threads {threads}");
            foreach (var (key, t) in a.StateDict())
                CollectionAssert.AreEqual(t.Span.ToArray(), b.StateDict()[key].Span.ToArray(), $"{key}, threads {threads}");
        }
    }

    [TestMethod]
    public void DifferentSeeds_GiveDifferentModels()
    {
        var a = ReferenceModels.LeNet5(seed: 1).StateDict()["conv1.weight"].Span.ToArray();
        var b = ReferenceModels.LeNet5(seed: 2).StateDict()["conv1.weight"].Span.ToArray();
        CollectionAssert.AreNotEqual(a, b);
        Assert.IsInstanceOfType<Sequential>(ReferenceModels.LeNet5());
    }
}
