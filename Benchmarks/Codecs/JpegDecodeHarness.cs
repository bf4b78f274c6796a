namespace MlPipelines.Benchmarks.Codecs;

/// <summary>
/// JPEG decode throughput on one thread against Pillow (libjpeg-turbo with SIMD) in the same run: the anchor script
/// writes photo-like 500x375 RGB JPEGs (quality 90, 4:2:0, baseline). Usage: `-- jpeg [images=48] [seconds=3]`.
/// </summary>
internal sealed class JpegDecodeHarness : PillowDecodeHarness
{
    public override string Name => "jpeg";

    public override string Description => "JPEG decode images/s (500x375 q90 4:2:0 photo-like, one thread) vs Pillow";

    protected override string Script => "jpeg_decode_pil.py";

    protected override string Extension => ".jpg";

    protected override double Goal => 0.5;
}
