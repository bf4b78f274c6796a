namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>How the decoded components are coded (chosen as libjpeg does from JFIF, Adobe APP14 and component ids).</summary>
internal enum JpegColorSpace
{
    /// <summary>One component: luminance.</summary>
    Gray,

    /// <summary>Three components: JFIF YCbCr.</summary>
    YCbCr,

    /// <summary>Three components: R, G, B without a colour transform.</summary>
    Rgb,

    /// <summary>Four components: Adobe CMYK, stored inverted.</summary>
    Cmyk,

    /// <summary>Four components: Adobe YCCK (YCbCr of inverted CMY, plus inverted K).</summary>
    Ycck,
}
