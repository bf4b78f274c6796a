using System.Globalization;
using System.Text;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Nn;

/// <summary>A per-layer table of a model at an input shape: output shapes, parameter counts, multiply-adds, and totals.</summary>
public sealed class ModelSummary
{
    private ModelSummary(IReadOnlyList<SummaryRow> rows, int[] inputShape, int[] outputShape, long parameters, long trainable, long macs)
    {
        (Rows, InputShape, OutputShape, TotalParameters, TrainableParameters, TotalMultiplyAdds) = (rows, inputShape, outputShape, parameters, trainable, macs);
    }

    public IReadOnlyList<SummaryRow> Rows { get; }
    public IReadOnlyList<int> InputShape { get; }
    public IReadOnlyList<int> OutputShape { get; }
    public long TotalParameters { get; }
    public long TrainableParameters { get; }
    public long TotalMultiplyAdds { get; }

    /// <summary>Summarises <paramref name="model"/> for an input of <paramref name="inputShape"/> (with batch dimension, usually 1).</summary>
    public static ModelSummary Create(Module model, params int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        var rows = new List<SummaryRow>();
        int[] output = Walk(model, "", inputShape, rows);
        long parameters = model.ParameterCount();
        long trainable = model.Parameters().Where(p => p.RequiresGrad).Sum(p => (long)p.Value.Length);
        return new ModelSummary(rows, inputShape, output, parameters, trainable, model.MultiplyAdds(inputShape));
    }

    /// <summary>Sequential containers are walked so each child sees its real input shape; any other module (a block) is one row.</summary>
    private static int[] Walk(Module module, string name, int[] input, List<SummaryRow> rows)
    {
        if (module is Sequential seq)
        {
            int[] s = input;
            for (int i = 0; i < seq.Modules.Count; i++) s = Walk(seq.Modules[i], Join(name, seq.Children[i].Name), s, rows);
            return s;
        }
        int[] output = module.OutputShape(input);
        rows.Add(new SummaryRow(name == "" ? module.GetType().Name : name, module.GetType().Name, output, module.ParameterCount(), module.MultiplyAdds(input)));
        return output;
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : a + "." + b;

    /// <summary>The table as fixed-width text.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        int nameWidth = Math.Max(10, Rows.Count == 0 ? 0 : Rows.Max(r => r.Name.Length + r.Type.Length + 3));
        sb.Append("Layer (type)".PadRight(nameWidth)).Append("  ").Append("Output shape".PadRight(22)).Append("Param #".PadLeft(14)).Append("Mult-adds".PadLeft(18)).Append('\n');
        sb.Append(new string('=', nameWidth + 56)).Append('\n');
        foreach (var r in Rows)
        {
            sb.Append($"{r.Name} ({r.Type})".PadRight(nameWidth)).Append("  ")
              .Append(("[" + string.Join(", ", r.OutputShape) + "]").PadRight(22))
              .Append(r.Parameters.ToString("N0", CultureInfo.InvariantCulture).PadLeft(14))
              .Append(r.MultiplyAdds.ToString("N0", CultureInfo.InvariantCulture).PadLeft(18)).Append('\n');
        }
        sb.Append(new string('=', nameWidth + 56)).Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"Input shape: [{string.Join(", ", InputShape)}]  Output shape: [{string.Join(", ", OutputShape)}]\n");
        sb.Append(CultureInfo.InvariantCulture, $"Total params: {TotalParameters:N0}  Trainable: {TrainableParameters:N0}  Non-trainable: {TotalParameters - TrainableParameters:N0}\n");
        sb.Append(CultureInfo.InvariantCulture, $"Total mult-adds: {TotalMultiplyAdds:N0} ({TotalMultiplyAdds / 1e6:F2} M)\n");
        return sb.ToString();
    }
}
