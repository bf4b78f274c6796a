namespace MlPipelines.Benchmarks.Codecs;

/// <summary>
/// Progressive JPEG decode throughput on one thread against Pillow: the pictures of <see cref="JpegDecodeHarness"/>
/// saved progressive (libjpeg's default script: spectral selection and successive approximation, optimised tables).
/// Usage: `-- jpeg-progressive [images=48] [seconds=3]`.
/// </summary>
internal sealed class JpegProgressiveDecodeHarness : PillowDecodeHarness
{
    public override string Name => "jpeg-progressive";

    public override string Description => "progressive JPEG decode images/s (500x375 q90 4:2:0 photo-like, one thread) vs Pillow";

    protected override string Script => "jpeg_decode_pil.py";

    protected override string Extension => ".jpg";

    protected override string[] MakeOptions => ["progressive"];

    protected override double Goal => 0.5;
}
