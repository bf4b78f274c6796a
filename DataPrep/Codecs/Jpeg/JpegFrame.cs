namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>A frame header (SOF0-SOF2, ITU T.81 B.2.2) with the derived MCU grid.</summary>
internal sealed class JpegFrame
{
    public JpegFrame(bool progressive, int width, int height, JpegComponent[] components)
    {
        Progressive = progressive;
        Width = width;
        Height = height;
        Components = components;
        foreach (JpegComponent c in components)
        {
            MaxH = Math.Max(MaxH, c.H);
            MaxV = Math.Max(MaxV, c.V);
        }

        McusPerLine = (width + (8 * MaxH) - 1) / (8 * MaxH);
        McusPerColumn = (height + (8 * MaxV) - 1) / (8 * MaxV);
        foreach (JpegComponent c in components)
            c.SetGeometry(width, height, MaxH, MaxV, McusPerLine, McusPerColumn);
    }

    /// <summary>Whether the frame is progressive (SOF2); otherwise sequential (SOF0/SOF1).</summary>
    public bool Progressive { get; }

    /// <summary>Samples per line X.</summary>
    public int Width { get; }

    /// <summary>Number of lines Y.</summary>
    public int Height { get; }

    /// <summary>The components in frame-header order.</summary>
    public JpegComponent[] Components { get; }

    /// <summary>Largest horizontal sampling factor.</summary>
    public int MaxH { get; }

    /// <summary>Largest vertical sampling factor.</summary>
    public int MaxV { get; }

    /// <summary>MCUs per line of an interleaved scan.</summary>
    public int McusPerLine { get; }

    /// <summary>MCU rows of an interleaved scan.</summary>
    public int McusPerColumn { get; }

    /// <summary>The component with identifier <paramref name="id"/>, or null.</summary>
    public JpegComponent? Find(int id)
    {
        foreach (JpegComponent c in Components)
            if (c.Id == id) return c;
        return null;
    }
}
