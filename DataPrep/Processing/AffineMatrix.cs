namespace MlPipelines.DataPrep.Processing;

/// <summary>
/// A 2-D affine map (x', y') = (A x + B y + C, D x + E y + F) in pixel coordinates, where pixel (i, j)
/// has its centre at (i + 0.5, j + 0.5).
/// </summary>
public readonly record struct AffineMatrix(double A, double B, double C, double D, double E, double F)
{
    /// <summary>The identity map.</summary>
    public static AffineMatrix Identity => new(1, 0, 0, 0, 1, 0);

    /// <summary>
    /// The torchvision-style map about a centre: rotate by <paramref name="angleDegrees"/> (counter-clockwise as seen
    /// on screen), shear by (<paramref name="shearXDegrees"/>, <paramref name="shearYDegrees"/>), scale, then translate.
    /// </summary>
    public static AffineMatrix About(double centerX, double centerY, double angleDegrees, double translateX, double translateY,
        double scale, double shearXDegrees, double shearYDegrees)
    {
        if (!(scale > 0)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Scale must be positive.");
        double rot = -angleDegrees * Math.PI / 180; // image y points down: a positive angle turns counter-clockwise on screen
        double sx = shearXDegrees * Math.PI / 180, sy = shearYDegrees * Math.PI / 180;
        // R * Shear * Scale, with shear matrix [[1, tan sx], [tan sy, 1]].
        double cos = Math.Cos(rot), sin = Math.Sin(rot), tx = Math.Tan(sx), ty = Math.Tan(sy);
        double a = (cos - sin * ty) * scale, b = (cos * tx - sin) * scale;
        double d = (sin + cos * ty) * scale, e = (sin * tx + cos) * scale;
        // Map about the centre, then translate.
        double c = centerX + translateX - a * centerX - b * centerY;
        double f = centerY + translateY - d * centerX - e * centerY;
        return new AffineMatrix(a, b, c, d, e, f);
    }

    /// <summary>Applies the map to a point.</summary>
    public (double X, double Y) Transform(double x, double y) => (A * x + B * y + C, D * x + E * y + F);

    /// <summary>The inverse map.</summary>
    public AffineMatrix Invert()
    {
        double det = A * E - B * D;
        if (Math.Abs(det) < 1e-12) throw new InvalidOperationException("The affine map is singular.");
        double ia = E / det, ib = -B / det, id = -D / det, ie = A / det;
        return new AffineMatrix(ia, ib, -(ia * C + ib * F), id, ie, -(id * C + ie * F));
    }
}
