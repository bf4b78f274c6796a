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
        float beta = 0;
        if (c is not null && _beta != 0)
        {
            // beta C broadcast into Y first, then Y = alpha op(A) op(B) + Y.
            FillBroadcast(c, _beta, y, m, n);
            beta = 1;
        }
        Blas.Sgemm(_ta, _tb, m, n, k, _alpha, x.Span, _ta ? m : k, w.Span, _tb ? k : n, beta, y.Span, n, context.Step.Threads);
        return [y];
    }

    /// <summary>y[i, j] = scale * c broadcast to [m, n]: a bias row (the usual case) is copied row by row.</summary>
    private static void FillBroadcast(Tensor c, float scale, Tensor y, int m, int n)
    {
        Span<float> ys = y.Span;
        ReadOnlySpan<float> cs = c.Span;
        if (c.Length == n && (c.Rank == 1 || (c.Rank == 2 && c.Dim(0) == 1)))
        {
            for (int i = 0; i < m; i++) System.Numerics.Tensors.TensorPrimitives.Multiply(cs, scale, ys.Slice(i * n, n));
            return;
        }
        int[] map = T.BroadcastMap(T.Shape(c), T.Broadcast(T.Shape(c), [m, n]));
        if (map.Length != m * n) throw new InvalidDataException($"Gemm: C {c.ShapeText} does not broadcast to [{m}, {n}].");
        for (int i = 0; i < ys.Length; i++) ys[i] = scale * cs[map[i]];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor x = inputs[0]!, w = inputs[1]!, dy = outputGradients[0]!;
        Tensor? c = inputs.Length > 2 ? inputs[2] : null;
        var (m, k, n) = Dims(x, w);
        Tensor dx = T.New(context, T.Shape(x)), dw = T.New(context, T.Shape(w));
        int threads = context.Step.Threads, ldx = _ta ? m : k, ldw = _tb ? k : n;
        // d op(A) = alpha dY op(B)^T [m, k] and d op(B) = alpha op(A)^T dY [k, n]; a transposed operand's gradient is
        // the transposed product (dA^T = alpha op(B) dY^T, dB^T = alpha dY^T op(A)).
        if (_ta) Blas.Sgemm(_tb, true, k, m, n, _alpha, w.Span, ldw, dy.Span, n, 0, dx.Span, m, threads);
        else Blas.Sgemm(false, !_tb, m, k, n, _alpha, dy.Span, n, w.Span, ldw, 0, dx.Span, k, threads);
        if (_tb) Blas.Sgemm(true, _ta, n, k, m, _alpha, dy.Span, n, x.Span, ldx, 0, dw.Span, k, threads);
        else Blas.Sgemm(!_ta, false, k, n, m, _alpha, x.Span, ldx, dy.Span, n, 0, dw.Span, n, threads);
        var gs = dy.Span;
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
        for (int bi = 0; bi < ma.Length; bi++)
            Blas.Sgemm(false, false, m, n, k, 1, a.Span.Slice(ma[bi] * m * k, m * k), k, b.Span.Slice(mb[bi] * k * n, k * n), n,
                0, y.Span.Slice(bi * m * n, m * n), n, context.Step.Threads);
        return [y];
    }

    public override Tensor?[] Backward(Tensor?[] inputs, Tensor[] outputs, Tensor?[] outputGradients, OpContext context)
    {
        Tensor a = inputs[0]!, b = inputs[1]!, dy = outputGradients[0]!;
        var (_, ab, bb, m, k, n, ob) = Plan(a, b);
        int[] ma = T.BroadcastMap(ab, ob), mb = T.BroadcastMap(bb, ob);
        Tensor da = T.New(context, T.Shape(a)), db = T.New(context, T.Shape(b));
        // Broadcast batches add into the same slice of dA or dB (the new tensors start at zero).
        for (int bi = 0; bi < ma.Length; bi++)
        {
            int ao = ma[bi] * m * k, bo = mb[bi] * k * n, yo = bi * m * n;
            ReadOnlySpan<float> g = dy.Span.Slice(yo, m * n);
            Blas.Sgemm(false, true, m, k, n, 1, g, n, b.Span.Slice(bo, k * n), n, 1, da.Span.Slice(ao, m * k), k, context.Step.Threads);
            Blas.Sgemm(true, false, k, n, m, 1, a.Span.Slice(ao, m * k), k, g, n, 1, db.Span.Slice(bo, k * n), n, context.Step.Threads);
        }
        return [da, db];
    }
}
