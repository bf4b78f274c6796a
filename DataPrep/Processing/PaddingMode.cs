namespace MlPipelines.DataPrep.Processing;

/// <summary>What fills pixels outside an image (padding, rotation corners, affine warps).</summary>
public enum PaddingMode
{
    /// <summary>A constant value (zero unless a fill value is given).</summary>
    Constant,

    /// <summary>Mirror without repeating the edge pixel (d c b | a b c d | c b a), as NumPy's "reflect".</summary>
    Reflect,

    /// <summary>Repeat the edge pixel (a a | a b c d | d d).</summary>
    Edge,
}
