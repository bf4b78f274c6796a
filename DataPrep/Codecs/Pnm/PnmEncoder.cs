using System.Text;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Pnm;

/// <summary>Writes binary Netpbm files: 1 channel as PGM (P5), 3 as PPM (P6), 4 as PAM (P7, RGB_ALPHA); maxval 255.</summary>
internal static class PnmEncoder
{
    /// <summary>Encodes <paramref name="image"/> to <paramref name="output"/>.</summary>
    public static void Encode(Image image, Stream output)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(output);
        string header = image.Channels switch
        {
            1 => $"P5\n{image.Width} {image.Height}\n255\n",
            3 => $"P6\n{image.Width} {image.Height}\n255\n",
            _ => $"P7\nWIDTH {image.Width}\nHEIGHT {image.Height}\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n",
        };
        output.Write(Encoding.ASCII.GetBytes(header));
        output.Write(image.Pixels);
    }
}
