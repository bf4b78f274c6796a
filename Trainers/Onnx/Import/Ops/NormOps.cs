using MlPipelines.Engine;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Trainers.Onnx.Import.Ops;

/// <summary>
/// BatchNormalization over [N, C, ...]: running statistics in evaluation; batch statistics (and running-statistic updates,
/// running = running * momentum + batch * (1 - momentum)) when the graph trains.
/// </summary>
internal sealed class BatchNormOp(NodeAttributes a) : OnnxOp
{
    private readonly float _eps = a.Float("epsilon", 1e-5f), _momentum = a.Float("momentum", 0.9f);

    private BatchNorm2d? _eval;

    public override IReadOnlyList<int> WeightInputs => [1, 2];

    public override IReadOnlyList<int> BufferInputs => [3, 4];

    /// <summary>
    /// This node in evaluation as an engine <see cref="BatchNorm2d"/> holding copies of its scale, bias and running
    /// statistics (C values each), for a convolution to apply as it stores its output.
    /// </summary>
    public BatchNorm2d EvalNorm(Tensor scale, Tensor bias, Tensor mean, Tensor var)
    {
        int c = scale.Length;
        if (bias.Length != c || mean.Length != c || var.Length != c)
            throw a.Invalid($"scale, bias, mean and var have {c}/{bias.Length}/{mean.Length}/{var.Length} values.");
        if (_eval is null || _eval.Channels != c) _eval = (BatchNorm2d)new BatchNorm2d(c, _eps).Eval();
        scale.Span.CopyTo(_eval.Weight!.Value.Span);
        bias.Span.CopyTo(_eval.Bias!.Value.Span);
        mean.Span.CopyTo(_eval.RunningMean.Span);
        var.Span.CopyTo(_eval.RunningVar.Span);
        return _eval;
    }

    private static (int N, int C, int S) Layout(Tensor x) =>
        x.Rank < 2 ? throw new InvalidDataException($"BatchNormalization needs [N, C, ...], got {x.ShapeText}.") : (x.Dim(0), x.Dim(1), x.Length / Math.Max(1, x.Dim(0) * x.Dim(1)));

    private (float[] Mean, float[] InvStd) Stats(Tensor x, Tensor mean, Tensor var, bool batch)
    {
        var (n, c, s) = Layout(x);
        if (mean.Length != c || var.Length != c) throw a.Invalid($"statistics have {mean.Length}/{var.Length} values for {c} channels.");
        var m = new float[c];
        var inv = new float[c];
        var xs = x.Span;
        for (int ch = 0; ch < c; ch++)
        {
            double mu = mean.Span[ch], v = var.Span[ch];
            if (batch)
            {
                double sum = 0, sq = 0;
                for (int ni = 0; ni < n; ni++)
                    for (int i = 0; i < s; i++) sum += xs[(ni * c + ch) * s + i];
                int count = n * s;
                mu = sum / count;
                for (int ni = 0; ni < n; ni++)
                    for (int i = 0; i < s; i++) { double d = xs[(ni * c + ch) * s + i] - mu; sq += d * d; }
                v = sq / count;
                double unbiased = count > 1 ? sq / (count - 1) : v;
                mean.Span[ch] = (float)(mean.Span[ch] * _momentum + mu * (1 - _momentum));
                var.Span[ch] = (float)(var.Span[ch] * _momentum + unbiased * (1 - _momentum));
            }
            m[ch] = (float)mu;
            inv[ch] = (float)(1.0 / Math.Sqrt(v + _eps));
        }
        return (m, inv);
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        if (inputs.Length < 5 || inputs.Take(5).Any(i => i is null)) throw a.Invalid("needs X, scale, B, mean and var.");
        Tensor x = inputs[0]!, scale = inputs[1]!, bias = inputs[2]!;
        var (mean, inv) = Stats(x, inputs[3]!, inputs[4]!, context.Training);
        var (n, c, s) = Layout(x);
        Tensor y = T.New(context, T.Shape(x));
        var xs = x.Span;
        var ys = y.Span;
        for (int ni = 0; ni < n; ni++)
            for (int ch = 0; ch < c; ch++)
            {
                float k = scale.Span[ch] * inv[ch], b0 = bias.Span[ch] - mean[ch] * k;
                int o = (ni * c + ch) * s;
                for (int i = 0; i < s; i++) ys[o + i] = xs[o + i] * k + b0;
            }
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!, scale = inputs[1]!, dy = outputGradients[0]!;
        var (n, c, s) = Layout(x);
        // Batch statistics of this step are recomputed from x (the running statistics were already updated in forward).
        var xs = x.Span;
        var gs = dy.Span;
        Tensor dx = T.New(context, T.Shape(x)), dscale = T.New(context, c), dbias = T.New(context, c);
        var ds = dx.Span;
        for (int ch = 0; ch < c; ch++)
        {
            double mu, invStd;
            int count = n * s;
            if (context.Training)
            {
                double sum = 0, sq = 0;
                for (int ni = 0; ni < n; ni++) for (int i = 0; i < s; i++) sum += xs[(ni * c + ch) * s + i];
                mu = sum / count;
                for (int ni = 0; ni < n; ni++) for (int i = 0; i < s; i++) { double d = xs[(ni * c + ch) * s + i] - mu; sq += d * d; }
                invStd = 1.0 / Math.Sqrt(sq / count + _eps);
            }
            else
            {
                mu = inputs[3]!.Span[ch];
                invStd = 1.0 / Math.Sqrt(inputs[4]!.Span[ch] + _eps);
            }
            double sumG = 0, sumGX = 0;
            for (int ni = 0; ni < n; ni++)
                for (int i = 0; i < s; i++)
                {
                    int j = (ni * c + ch) * s + i;
                    sumG += gs[j];
                    sumGX += gs[j] * (xs[j] - mu) * invStd;
                }
            dbias.Span[ch] = (float)sumG;
            dscale.Span[ch] = (float)sumGX;
            double gamma = scale.Span[ch];
            for (int ni = 0; ni < n; ni++)
                for (int i = 0; i < s; i++)
                {
                    int j = (ni * c + ch) * s + i;
                    double xhat = (xs[j] - mu) * invStd;
                    ds[j] = context.Training
                        ? (float)(gamma * invStd * (gs[j] - sumG / count - xhat * sumGX / count))
                        : (float)(gamma * invStd * gs[j]);
                }
        }
        return [dx, dscale, dbias, null, null];
    }
}

/// <summary>
/// Normalisation over groups of consecutive elements with an affine transform: LayerNormalization (groups = the leading
/// dimensions, scale/bias over the normalised ones) and InstanceNormalization (groups = (n, c), scale/bias per channel).
/// </summary>
internal sealed class GroupNormOp(NodeAttributes a, bool instance) : OnnxOp
{
    private readonly float _eps = a.Float("epsilon", 1e-5f);

    public override IReadOnlyList<int> WeightInputs => [1, 2];

    private (int Groups, int Size, int[] ScaleMap) Layout(Tensor x, Tensor scale)
    {
        int[] shape = T.Shape(x);
        if (instance)
        {
            if (x.Rank < 3) throw a.Invalid($"input {x.ShapeText} needs [N, C, spatial...].");
            int c = shape[1], s = (int)T.Count(shape.AsSpan(2));
            if (scale.Length != c) throw a.Invalid($"scale has {scale.Length} values for {c} channels.");
            var map = new int[x.Length];
            for (int i = 0; i < map.Length; i++) map[i] = i / s % c;
            return (shape[0] * c, s, map);
        }
        int axis = T.Axis(a.Int("axis", -1), x.Rank, a.Where);
        int size = (int)T.Count(shape.AsSpan(axis));
        int[] normShape = shape[axis..];
        int[] inner = T.BroadcastMap(T.Shape(scale), normShape);
        T.Broadcast(T.Shape(scale), normShape);
        var m2 = new int[x.Length];
        for (int i = 0; i < m2.Length; i++) m2[i] = inner[i % size];
        return (x.Length / Math.Max(size, 1), size, m2);
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!, scale = inputs[1]!;
        Tensor? bias = inputs.Length > 2 ? inputs[2] : null;
        var (groups, size, map) = Layout(x, scale);
        Tensor y = T.New(context, T.Shape(x));
        int[] statShape = T.Shape(x);
        if (!instance) for (int i = T.Axis(a.Int("axis", -1), x.Rank, a.Where); i < statShape.Length; i++) statShape[i] = 1;
        else for (int i = 2; i < statShape.Length; i++) statShape[i] = 1;
        Tensor meanOut = T.New(context, statShape), invOut = T.New(context, statShape);
        var xs = x.Span;
        var ys = y.Span;
        for (int g = 0; g < groups; g++)
        {
            double sum = 0, sq = 0;
            for (int i = 0; i < size; i++) sum += xs[g * size + i];
            double mu = sum / size;
            for (int i = 0; i < size; i++) { double d = xs[g * size + i] - mu; sq += d * d; }
            double inv = 1.0 / Math.Sqrt(sq / size + _eps);
            meanOut.Span[g] = (float)mu;
            invOut.Span[g] = (float)inv;
            for (int i = 0; i < size; i++)
            {
                int j = g * size + i;
                ys[j] = (float)((xs[j] - mu) * inv) * scale.Span[map[j]] + (bias is null ? 0f : bias.Span[map[j]]);
            }
        }
        return instance ? [y] : [y, meanOut, invOut];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!, scale = inputs[1]!, dy = outputGradients[0]!;
        Tensor? bias = inputs.Length > 2 ? inputs[2] : null;
        var (groups, size, map) = Layout(x, scale);
        Tensor dx = T.New(context, T.Shape(x)), dscale = T.New(context, T.Shape(scale));
        Tensor? dbias = bias is null ? null : T.New(context, T.Shape(bias));
        var xs = x.Span;
        var gs = dy.Span;
        var ds = dx.Span;
        var xhat = new double[size];
        for (int g = 0; g < groups; g++)
        {
            double sum = 0, sq = 0;
            for (int i = 0; i < size; i++) sum += xs[g * size + i];
            double mu = sum / size;
            for (int i = 0; i < size; i++) { double d = xs[g * size + i] - mu; sq += d * d; }
            double inv = 1.0 / Math.Sqrt(sq / size + _eps);
            double sumG = 0, sumGX = 0;
            for (int i = 0; i < size; i++)
            {
                int j = g * size + i;
                xhat[i] = (xs[j] - mu) * inv;
                double gh = gs[j] * scale.Span[map[j]];
                sumG += gh;
                sumGX += gh * xhat[i];
                dscale.Span[map[j]] += (float)(gs[j] * xhat[i]);
                if (dbias is not null) dbias.Span[map[j]] += gs[j];
            }
            // LayerNormalization's Mean and InvStdDev outputs: d mean / d x = 1 / size, d inv / d x = -inv^3 (x - mean) / size.
            double gMean = !instance && outputGradients.Length > 1 && outputGradients[1] is { } gm ? gm.Span[g] : 0;
            double gInv = !instance && outputGradients.Length > 2 && outputGradients[2] is { } gi ? gi.Span[g] : 0;
            for (int i = 0; i < size; i++)
            {
                int j = g * size + i;
                double gh = gs[j] * scale.Span[map[j]];
                ds[j] = (float)(inv * (gh - sumG / size - xhat[i] * sumGX / size) + gMean / size - gInv * inv * inv * xhat[i] / size);
            }
        }
        var r = new Tensor?[inputs.Length];
        (r[0], r[1]) = (dx, dscale);
        if (inputs.Length > 2) r[2] = dbias;
        return r;
    }
}

/// <summary>LRN across channels: y = x / (bias + alpha / size * sum of squares in the channel window) ^ beta.</summary>
internal sealed class LrnOp(NodeAttributes a) : OnnxOp
{
    private readonly int _size = (int)a.Int("size", 0);
    private readonly float _alpha = a.Float("alpha", 1e-4f), _beta = a.Float("beta", 0.75f), _bias = a.Float("bias", 1f);

    private float[] Scales(Tensor x, int n, int c, int s)
    {
        if (_size < 1) throw a.Invalid("size must be positive.");
        var xs = x.Span;
        var scales = new float[x.Length];
        int lo = (_size - 1) / 2, hi = _size - 1 - lo;
        for (int ni = 0; ni < n; ni++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < s; i++)
                {
                    double sq = 0;
                    for (int k = Math.Max(0, ch - lo); k <= Math.Min(c - 1, ch + hi); k++) { float v = xs[(ni * c + k) * s + i]; sq += v * v; }
                    scales[(ni * c + ch) * s + i] = (float)(_bias + _alpha / _size * sq);
                }
        return scales;
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!;
        int n = x.Dim(0), c = x.Dim(1), s = x.Length / Math.Max(1, n * c);
        float[] sc = Scales(x, n, c, s);
        Tensor y = T.New(context, T.Shape(x));
        for (int i = 0; i < sc.Length; i++) y.Span[i] = x.Span[i] * MathF.Pow(sc[i], -_beta);
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!, dy = outputGradients[0]!;
        int n = x.Dim(0), c = x.Dim(1), s = x.Length / Math.Max(1, n * c);
        float[] sc = Scales(x, n, c, s);
        var xs = x.Span;
        var gs = dy.Span;
        Tensor dx = T.New(context, T.Shape(x));
        var ds = dx.Span;
        int lo = (_size - 1) / 2, hi = _size - 1 - lo;
        for (int ni = 0; ni < n; ni++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < s; i++)
                {
                    int j = (ni * c + ch) * s + i;
                    double acc = gs[j] * Math.Pow(sc[j], -_beta);
                    // x_j appears in the windows of channels k with k - lo <= ch <= k + hi.
                    for (int k = Math.Max(0, ch - hi); k <= Math.Min(c - 1, ch + lo); k++)
                    {
                        int q = (ni * c + k) * s + i;
                        acc -= 2.0 * _alpha * _beta / _size * xs[j] * gs[q] * xs[q] * Math.Pow(sc[q], -_beta - 1);
                    }
                    ds[j] = (float)acc;
                }
        return [dx];
    }
}
