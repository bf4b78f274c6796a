using MlPipelines.Evaluation.Reports.Charts;

namespace MlPipelines.Evaluation.Tests.Reports;

[TestClass]
public sealed class PixelFontTests
{
    private static string Render(string text, int scale)
    {
        int w = PixelFont.Measure(text) * scale, h = PixelFont.GlyphHeight * scale;
        var canvas = new RgbCanvas(w, h, (255, 255, 255));
        canvas.Text(0, 0, text, (0, 0, 0), scale);
        var rows = new List<string>();
        for (int y = 0; y < h; y++)
            rows.Add(new string(Enumerable.Range(0, w).Select(x => canvas.Get(x, y) == (0, 0, 0) ? '#' : '.').ToArray()));
        return string.Join("\n", rows);
    }

    [TestMethod]
    public void Glyphs_DrawTheirBitsWithAOneColumnGap()
    {
        Assert.AreEqual(
            ".#..#.#\n" +
            "#.#.#.#\n" +
            "###.###\n" +
            "#.#...#\n" +
            "#.#...#", Render("A4", 1));
    }

    [TestMethod]
    public void Scale_RepeatsEachFontPixel_UnknownCharactersAreGaps()
    {
        // '?' is not in the font: a gap of one advance; ':' sets font column 1 of rows 1 and 3 -> pixels 10-11 of rows 2-3 and 6-7.
        string gap = new('.', 14), dots = "..........##..";
        Assert.AreEqual(string.Join("\n", gap, gap, dots, dots, gap, gap, dots, dots, gap, gap), Render("?:", 2));
    }

    [TestMethod]
    public void Normalize_Capitalizes()
    {
        Assert.AreEqual("LEARNING RATE", PixelFont.Normalize("learning rate"));
    }
}
