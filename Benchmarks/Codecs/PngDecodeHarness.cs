namespace MlPipelines.Benchmarks.Codecs;

/// <summary>
/// PNG decode throughput on one thread against Pillow in the same run: the anchor script writes photo-like
/// 500x375 RGB PNGs (Pillow's default encoder). Usage: `-- png [images=48] [seconds=3]`.
/// </summary>
internal sealed class PngDecodeHarness : PillowDecodeHarness
{
    public override string Name => "png";

    public override string Description => "PNG decode images/s (500x375 photo-like RGB, one thread) vs Pillow";

    protected override string Script => "png_decode_pil.py";

    protected override string Extension => ".png";

    protected override double Goal => 1.0;
}
