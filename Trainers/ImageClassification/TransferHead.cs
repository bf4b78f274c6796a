namespace MlPipelines.Trainers.ImageClassification;

/// <summary>
/// The new classifier put on a cut backbone's features (after global average pooling when they are spatial, and flattening):
/// one linear layer (the default), or a small MLP — linear to <see cref="HiddenUnits"/>, ReLU, dropout, linear to the classes.
/// </summary>
public sealed record TransferHead
{
    /// <summary>One linear layer from the features to the classes.</summary>
    public static TransferHead Linear { get; } = new();

    /// <summary>A one-hidden-layer MLP head.</summary>
    public static TransferHead Mlp(int hiddenUnits, float dropout = 0.2f) => new() { HiddenUnits = hiddenUnits, Dropout = dropout };

    /// <summary>Units of the MLP's hidden layer; 0 makes the head one linear layer.</summary>
    public int HiddenUnits { get; init; }

    /// <summary>Drop probability after the hidden layer's ReLU (MLP heads only), in [0, 1).</summary>
    public float Dropout { get; init; }

    /// <summary>Whether this is an MLP head rather than one linear layer.</summary>
    public bool IsMlp => HiddenUnits > 0;

    /// <summary>Parses "linear" or "mlp:HIDDEN" (optionally "mlp:HIDDEN:DROPOUT"), as the command line writes heads.</summary>
    public static TransferHead Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(':');
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (parts is ["linear"]) return Linear;
        if (parts[0] == "mlp" && parts.Length is 2 or 3 && int.TryParse(parts[1], System.Globalization.NumberStyles.None, inv, out int hidden) && hidden > 0)
        {
            float dropout = 0.2f;
            if (parts.Length == 3 && !(float.TryParse(parts[2], System.Globalization.NumberStyles.Float, inv, out dropout) && dropout is >= 0 and < 1))
                throw new FormatException($"Head '{text}': the dropout after the second ':' must be a number in [0, 1).");
            var head = Mlp(hidden, dropout);
            head.Validate();
            return head;
        }
        throw new FormatException($"Head '{text}' is neither 'linear' nor 'mlp:HIDDEN' (e.g. mlp:128) nor 'mlp:HIDDEN:DROPOUT'.");
    }

    /// <inheritdoc />
    public override string ToString() => IsMlp ? $"mlp:{HiddenUnits}:{Dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "linear";

    internal void Validate()
    {
        if (HiddenUnits is < 0 or > 1 << 20) throw new ArgumentOutOfRangeException(nameof(HiddenUnits), HiddenUnits, "Hidden units must lie in 0..1048576 (0: a linear head).");
        if (!(Dropout is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Head dropout must lie in [0, 1).");
    }
}
