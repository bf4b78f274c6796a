using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Sources;

/// <summary>Reads CIFAR binary batch files: fixed-size records of label byte(s) then 32x32 planar R, G, B bytes.</summary>
internal static class CifarReader
{
    private const int Side = 32;
    private const int PixelBytes = 3 * Side * Side;

    public static (List<Image> Images, List<uint> Keys) Read(IReadOnlyList<string> files, CifarVariant variant)
    {
        int labelBytes = variant == CifarVariant.Cifar10 ? 1 : 2;
        int labelOffset = variant == CifarVariant.Cifar100Fine ? 1 : 0;
        int classes = CifarClassNames.For(variant).Count;
        int record = labelBytes + PixelBytes;
        var images = new List<Image>();
        var keys = new List<uint>();
        foreach (string file in files)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"CIFAR batch file not found: {file}", file);
            byte[] data = File.ReadAllBytes(file);
            if (data.Length == 0 || data.Length % record != 0)
                throw new InvalidDataException($"{file}: {data.Length} bytes is not a whole number of {variant} records of {record} bytes.");
            for (int r = 0; r < data.Length / record; r++)
            {
                var rec = data.AsSpan(r * record, record);
                int label = rec[labelOffset];
                if (label >= classes) throw new InvalidDataException($"{file}, record {r}: label {label} is outside 0..{classes - 1} for {variant}.");
                var image = new Image(Side, Side, 3);
                var px = image.Pixels;
                var planes = rec[labelBytes..];
                for (int i = 0; i < Side * Side; i++)
                {
                    px[3 * i] = planes[i];
                    px[3 * i + 1] = planes[Side * Side + i];
                    px[3 * i + 2] = planes[2 * Side * Side + i];
                }
                images.Add(image);
                keys.Add((uint)label + 1);
            }
        }
        return (images, keys);
    }
}
