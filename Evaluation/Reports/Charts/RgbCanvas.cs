namespace MlPipelines.Evaluation.Reports.Charts;

/// <summary>An RGB byte raster ([Height, Width, 3]) with the few drawing operations charts need; drawing is clipped to the canvas.</summary>
internal sealed class RgbCanvas
{
    /// <summary>A canvas filled with <paramref name="background"/>.</summary>
    public RgbCanvas(int width, int height, (byte R, byte G, byte B) background)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 3];
        FillRect(0, 0, width, height, background);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The pixels, [Height, Width, 3].</summary>
    public byte[] Pixels { get; }

    /// <summary>Sets one pixel (ignored outside the canvas).</summary>
    public void Set(int x, int y, (byte R, byte G, byte B) color)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) return;
        int at = (y * Width + x) * 3;
        Pixels[at] = color.R;
        Pixels[at + 1] = color.G;
        Pixels[at + 2] = color.B;
    }

    /// <summary>The colour of one pixel.</summary>
    public (byte R, byte G, byte B) Get(int x, int y)
    {
        int at = (y * Width + x) * 3;
        return (Pixels[at], Pixels[at + 1], Pixels[at + 2]);
    }

    /// <summary>Fills the rectangle [x, x + w) x [y, y + h).</summary>
    public void FillRect(int x, int y, int w, int h, (byte R, byte G, byte B) color)
    {
        int xa = Math.Max(0, x), ya = Math.Max(0, y), xb = Math.Min(Width, x + w), yb = Math.Min(Height, y + h);
        for (int yy = ya; yy < yb; yy++)
            for (int xx = xa; xx < xb; xx++) Set(xx, yy, color);
    }

    /// <summary>Outlines the rectangle [x, x + w) x [y, y + h) one pixel wide.</summary>
    public void StrokeRect(int x, int y, int w, int h, (byte R, byte G, byte B) color)
    {
        FillRect(x, y, w, 1, color);
        FillRect(x, y + h - 1, w, 1, color);
        FillRect(x, y, 1, h, color);
        FillRect(x + w - 1, y, 1, h, color);
    }

    /// <summary>A line from (x0, y0) to (x1, y1) (Bresenham), <paramref name="thickness"/> pixels wide (a square brush).</summary>
    public void Line(double x0, double y0, double x1, double y1, (byte R, byte G, byte B) color, int thickness = 1)
    {
        int ax = (int)Math.Round(x0), ay = (int)Math.Round(y0), bx = (int)Math.Round(x1), by = (int)Math.Round(y1);
        int dx = Math.Abs(bx - ax), dy = -Math.Abs(by - ay);
        int sx = ax < bx ? 1 : -1, sy = ay < by ? 1 : -1;
        int err = dx + dy;
        int lo = -(thickness - 1) / 2, hi = thickness / 2;
        while (true)
        {
            FillRect(ax + lo, ay + lo, hi - lo + 1, hi - lo + 1, color);
            if (ax == bx && ay == by) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; ax += sx; }
            if (e2 <= dx) { err += dx; ay += sy; }
        }
    }

    /// <summary>Draws <paramref name="text"/> with <see cref="PixelFont"/>, top-left at (x, y), each font pixel <paramref name="scale"/> pixels wide.</summary>
    public void Text(int x, int y, string text, (byte R, byte G, byte B) color, int scale = 1)
    {
        for (int i = 0; i < text.Length; i++)
            for (int gy = 0; gy < PixelFont.GlyphHeight; gy++)
                for (int gx = 0; gx < PixelFont.GlyphWidth; gx++)
                    if (PixelFont.IsSet(text[i], gx, gy))
                        FillRect(x + (i * PixelFont.Advance + gx) * scale, y + gy * scale, scale, scale, color);
    }
}
