namespace MlPipelines.Evaluation.Reports.Charts;

/// <summary>
/// Maps data values on one axis to pixels: the data range widened to "nice" tick values (1, 2, 5 x 10^k),
/// or decades on a logarithmic axis.
/// </summary>
internal sealed class AxisScale
{
    private readonly double _min, _max, _pixelFrom, _pixelTo;

    private AxisScale(double min, double max, IReadOnlyList<double> ticks, bool log, double pixelFrom, double pixelTo)
    {
        _min = min;
        _max = max;
        Ticks = ticks;
        IsLog = log;
        _pixelFrom = pixelFrom;
        _pixelTo = pixelTo;
    }

    /// <summary>Tick positions, in data units.</summary>
    public IReadOnlyList<double> Ticks { get; }

    /// <summary>Whether the axis is logarithmic (base 10).</summary>
    public bool IsLog { get; }

    /// <summary>
    /// An axis over <paramref name="values"/> drawn from pixel <paramref name="pixelFrom"/> (data minimum) to
    /// <paramref name="pixelTo"/> (data maximum); <paramref name="integer"/> keeps tick steps at 1 or more.
    /// </summary>
    public static AxisScale Create(IEnumerable<double> values, double pixelFrom, double pixelTo, bool log = false, bool integer = false, int targetTicks = 5)
    {
        var data = values.Where(v => double.IsFinite(v) && (!log || v > 0)).ToArray();
        if (log)
        {
            // Rounded first so that exact powers of ten (log10 off by an ulp) do not gain a decade.
            double lo = data.Length == 0 ? 0 : Math.Floor(Math.Round(Math.Log10(data.Min()), 9));
            double hi = data.Length == 0 ? 1 : Math.Ceiling(Math.Round(Math.Log10(data.Max()), 9));
            if (hi <= lo) hi = lo + 1;
            var decades = new List<double>();
            for (double e = lo; e <= hi; e++) decades.Add(Math.Pow(10, e));
            return new AxisScale(lo, hi, decades, true, pixelFrom, pixelTo);
        }
        double min = data.Length == 0 ? 0 : data.Min();
        double max = data.Length == 0 ? 1 : data.Max();
        if (max == min)
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        double step = NiceStep((max - min) / targetTicks);
        if (integer) step = Math.Max(1, Math.Round(step));
        double first = Math.Floor(min / step) * step;
        double last = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (int i = 0; first + i * step <= last + step * 1e-9; i++) ticks.Add(Math.Round(first + i * step, 12));
        return new AxisScale(first, last, ticks, false, pixelFrom, pixelTo);
    }

    /// <summary>The pixel coordinate of <paramref name="value"/>.</summary>
    public double Map(double value)
    {
        double v = IsLog ? Math.Log10(value) : value;
        return _pixelFrom + (v - _min) / (_max - _min) * (_pixelTo - _pixelFrom);
    }

    /// <summary>A short label for a tick.</summary>
    public static string Label(double value)
    {
        double a = Math.Abs(value);
        if (value == 0) return "0";
        if (a >= 1e5 || a < 1e-3) return value.ToString("0.#e+0", System.Globalization.CultureInfo.InvariantCulture);
        return value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The smallest of 1, 2, 5 x 10^k at least <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        if (!(rough > 0)) return 1;
        double p = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double f = rough / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }
}
