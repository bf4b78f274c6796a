using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.Evaluation.Reports;

/// <summary>Pictures as PNG bytes and data: URIs for embedding in the report.</summary>
internal static class ReportImages
{
    /// <summary>PNG bytes of <paramref name="image"/>.</summary>
    public static byte[] Png(ReportImage image) => ImageCodecs.EncodePng(new Image(image.Width, image.Height, image.Channels, image.Pixels));

    /// <summary>A data: URI holding <paramref name="image"/> as a PNG.</summary>
    public static string DataUri(ReportImage image) => "data:image/png;base64," + Convert.ToBase64String(Png(image));
}
