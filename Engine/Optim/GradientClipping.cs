using MlPipelines.Engine.Nn;

namespace MlPipelines.Engine.Optim;

/// <summary>Gradient clipping over a set of parameters (PyTorch's clip_grad_norm_ and clip_grad_value_).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by min(1, maxNorm / (total + 1e-6)) where total is the L2 (or max, for infinity) norm over
    /// every gradient together, accumulated in double. Returns the total norm before clipping; a NaN or infinite total
    /// (divergence) is returned as is and the gradients are left alone, so the caller can stop.
    /// </summary>
    public static double ClipNorm(IEnumerable<Parameter> parameters, double maxNorm, double normType = 2)
    {
        var list = parameters.Where(p => p.RequiresGrad).ToList();
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be positive.");
        double total = 0;
        bool inf = double.IsPositiveInfinity(normType);
        foreach (var p in list)
            foreach (float g in p.Grad.Span)
                total = inf ? Math.Max(total, Math.Abs(g)) : total + Math.Pow(Math.Abs(g), normType);
        if (!inf) total = Math.Pow(total, 1 / normType);
        if (!double.IsFinite(total)) return total;
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1)
            foreach (var p in list) System.Numerics.Tensors.TensorPrimitives.Multiply(p.Grad.Span, (float)coef, p.Grad.Span);
        return total;
    }

    /// <summary>Clamps every gradient value to [-clip, clip].</summary>
    public static void ClipValue(IEnumerable<Parameter> parameters, float clip)
    {
        if (!(clip > 0)) throw new ArgumentOutOfRangeException(nameof(clip), clip, "The clip value must be positive.");
        foreach (var p in parameters.Where(p => p.RequiresGrad))
            System.Numerics.Tensors.TensorPrimitives.Clamp(p.Grad.Span, -clip, clip, p.Grad.Span);
    }
}
