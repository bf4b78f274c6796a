using MlPipelines.Engine;

namespace MlPipelines.Trainers.Onnx.Import.Ops;

/// <summary>Gemm: Y = alpha * op(A) * op(B) + beta * C, op transposing when transA/transB; C broadcasts to [M, N].</summary>
internal sealed class GemmOp(NodeAttributes a) : OnnxOp
{
    private readonly bool _ta = a.Int("transA", 0) != 0, _tb = a.Int("transB", 0) != 0;
    private readonly float _alpha = a.Float("alpha", 1f), _beta = a.Float("beta", 1f);

    public override IReadOnlyList<int> WeightInputs => [1, 2];

    private (int M, int K, int N) Dims(Tensor x, Tensor w)
    {
        if (x.Rank != 2 || w.Rank != 2) throw a.Invalid($"A {x.ShapeText} and B {w.ShapeText} must be matrices.");
        int m = _ta ? x.Dim(1) : x.Dim(0), k = _ta ? x.Dim(0) : x.Dim(1);
        int kb = _tb ? w.Dim(1) : w.Dim(0), n = _tb ? w.Dim(0) : w.Dim(1);
        if (k != kb) throw a.Invalid($"A {x.ShapeText} and B {w.ShapeText} do not multiply (transA={_ta}, transB={_tb}).");
        return (m, k, n);
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor x = inputs[0]!, w = inputs[1]!;
        Tensor? c = inputs.Length > 2 ? inputs[2] : null;
        var (m, k, n) = Dims(x, w);
        Tensor y = T.New(context, m, n);
        int[]? map = c is null ? null : T.BroadcastMap(T.Shape(c), [m, n]);
        if (c is not null) T.Broadcast(T.Shape(c), [m, n]);
        var xs = x.Span;
        var ws = w.Span;
        var ys = y.Span;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float acc = 0f;
                for (int p = 0; p < k; p++) acc += xs[_ta ? p * m + i : i * k + p] * ws[_tb ? j * k + p : p * n + j];
                ys[i * n + j] = _alpha * acc + (c is null ? 0f : _beta * c.Span[map![i * n + j]]);
            }
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!, w = inputs[1]!, dy = outputGradients[0]!;
        Tensor? c = inputs.Length > 2 ? inputs[2] : null;
        var (m, k, n) = Dims(x, w);
        Tensor dx = T.New(context, T.Shape(x)), dw = T.New(context, T.Shape(w));
        var xs = x.Span;
        var ws = w.Span;
        var gs = dy.Span;
        var dxs = dx.Span;
        var dws = dw.Span;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float g = _alpha * gs[i * n + j];
                if (g == 0f) continue;
                for (int p = 0; p < k; p++)
                {
                    int xi = _ta ? p * m + i : i * k + p, wi = _tb ? j * k + p : p * n + j;
                    dxs[xi] += g * ws[wi];
                    dws[wi] += g * xs[xi];
                }
            }
        var r = new Tensor?[inputs.Length];
        (r[0], r[1]) = (dx, dw);
        if (c is not null)
        {
            Tensor gc = T.New(context, m, n);
            for (int i = 0; i < gc.Length; i++) gc.Span[i] = _beta * gs[i];
            r[2] = T.Unbroadcast(gc, T.Shape(c));
        }
        return r;
    }
}

/// <summary>MatMul with numpy semantics: 1-D operands promoted and removed again, batch dimensions broadcast.</summary>
internal sealed class MatMulOp : OnnxOp
{
    public override IReadOnlyList<int> WeightInputs => [0, 1];

    private static (int[] Out, int[] ABatch, int[] BBatch, int M, int K, int N, int[] OutBatch) Plan(Tensor a, Tensor b)
    {
        if (a.Rank == 0 || b.Rank == 0) throw new InvalidDataException("MatMul operands must have rank 1 or more.");
        int[] sa = a.Rank == 1 ? [1, a.Dim(0)] : T.Shape(a);
        int[] sb = b.Rank == 1 ? [b.Dim(0), 1] : T.Shape(b);
        int m = sa[^2], k = sa[^1], n = sb[^1];
        if (sb[^2] != k) throw new InvalidDataException($"MatMul shapes {a.ShapeText} and {b.ShapeText} do not multiply.");
        int[] ab = sa[..^2], bb = sb[..^2];
        int[] ob = T.Broadcast(ab, bb);
        var outShape = new List<int>(ob);
        if (a.Rank > 1) outShape.Add(m);
        if (b.Rank > 1) outShape.Add(n);
        return ([.. outShape], ab, bb, m, k, n, ob);
    }

    public override Tensor[] Forward(Tensor?[] inputs, OpContext context)
    {
        Tensor a = inputs[0]!, b = inputs[1]!;
        var (outShape, ab, bb, m, k, n, ob) = Plan(a, b);
        Tensor y = T.New(context, outShape);
        int[] ma = T.BroadcastMap(ab, ob), mb = T.BroadcastMap(bb, ob);
        var xs = a.Span;
        var ws = b.Span;
        var ys = y.Span;
        for (int bi = 0; bi < ma.Length; bi++)
        {
            int ao = ma[bi] * m * k, bo = mb[bi] * k * n, yo = bi * m * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    float acc = 0f;
                    for (int p = 0; p < k; p++) acc += xs[ao + i * k + p] * ws[bo + p * n + j];
                    ys[yo + i * n + j] = acc;
                }
        }
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor a = inputs[0]!, b = inputs[1]!, dy = outputGradients[0]!;
        var (_, ab, bb, m, k, n, ob) = Plan(a, b);
        int[] ma = T.BroadcastMap(ab, ob), mb = T.BroadcastMap(bb, ob);
        Tensor da = T.New(context, T.Shape(a)), db = T.New(context, T.Shape(b));
        var xs = a.Span;
        var ws = b.Span;
        var gs = dy.Span;
        var das = da.Span;
        var dbs = db.Span;
        for (int bi = 0; bi < ma.Length; bi++)
        {
            int ao = ma[bi] * m * k, bo = mb[bi] * k * n, yo = bi * m * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    float g = gs[yo + i * n + j];
                    if (g == 0f) continue;
                    for (int p = 0; p < k; p++)
                    {
                        das[ao + i * k + p] += g * ws[bo + p * n + j];
                        dbs[bo + p * n + j] += g * xs[ao + i * k + p];
                    }
                }
        }
        return [da, db];
    }
}
