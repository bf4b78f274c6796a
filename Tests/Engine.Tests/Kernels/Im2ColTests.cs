using MlPipelines.Engine.Kernels;
using static MlPipelines.Engine.Tests.Kernels.KernelTestData;

namespace MlPipelines.Engine.Tests.Kernels;

[TestClass]
[TestCategory("Kernels")]
public sealed class Im2ColTests
{
    /// <summary>col[(c KH + kh) KW + kw, oy OW + ox] from its definition: the input pixel the tap reads, or 0 in the padding.</summary>
    private static float[] Reference(float[] x, in Conv2dGeometry g)
    {
        int plane = g.OutHeight * g.OutWidth;
        var col = new float[g.PatchSize * plane];
        for (int c = 0, row = 0; c < g.InChannels; c++)
            for (int kh = 0; kh < g.KernelHeight; kh++)
                for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                    for (int oy = 0; oy < g.OutHeight; oy++)
                        for (int ox = 0; ox < g.OutWidth; ox++)
                        {
                            int iy = oy * g.StrideH - g.PadTop + kh * g.DilationH, ix = ox * g.StrideW - g.PadLeft + kw * g.DilationW;
                            bool inside = iy >= 0 && iy < g.InHeight && ix >= 0 && ix < g.InWidth;
                            col[row * plane + oy * g.OutWidth + ox] = inside ? x[(c * g.InHeight + iy) * g.InWidth + ix] : 0;
                        }
        return col;
    }

    [TestMethod]
    public void Unfold_AndItsBands_CopyEveryTapExactly()
    {
        // Large strided maps (the row-by-row copy, by vectors at stride 2, its last odd read past the row but not past x),
        // stride 1, and a small map (the gathered route, whole and by bands: a thread's share of a batch-1 layer); then the
        // same matrix band by band.
        int seed = 40;
        foreach (var g in new Conv2dGeometry[]
        {
            new(1, 3, 81, 80, 4, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1),
            new(1, 2, 70, 67, 4, 3, 3, 2, 2, 0, 1, 1, 0, 1, 1, 1),
            new(1, 2, 40, 36, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
            new(1, 3, 9, 9, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
        })
        {
            float[] x = Random(g.InputLength, seed++);
            float[] expected = Reference(x, g);
            int plane = g.OutHeight * g.OutWidth;
            var col = new float[g.PatchSize * plane];
            Im2Col.Unfold(x, g, col, plane);
            CollectionAssert.AreEqual(expected, col, $"whole {g}");
            int[] cuts = [0, 1, g.OutHeight / 3, g.OutHeight - 1, g.OutHeight];
            for (int i = 0; i + 1 < cuts.Length; i++)
            {
                int oy0 = cuts[i], oy1 = cuts[i + 1], cols = (oy1 - oy0) * g.OutWidth;
                if (cols == 0) continue;
                var band = Enumerable.Repeat(float.NaN, g.PatchSize * cols).ToArray();
                Im2Col.UnfoldRows(x, g, band, cols, oy0, oy1);
                for (int r = 0; r < g.PatchSize; r++)
                    for (int j = 0; j < cols; j++)
                        Assert.AreEqual(expected[r * plane + oy0 * g.OutWidth + j], band[r * cols + j], $"{g} rows [{oy0}, {oy1}): row {r} column {j}");
            }
        }
        var bad = new Conv2dGeometry(1, 1, 8, 8, 1, 3, 3);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Im2Col.UnfoldRows(new float[64], bad, new float[100], 10, 3, 3), "an empty band");
    }
}
