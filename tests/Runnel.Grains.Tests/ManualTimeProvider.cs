namespace Runnel.Grains.Tests;

/// <summary>A clock the test moves by hand, for segment.ms, retention.ms and flush.ms.</summary>
internal sealed class ManualTimeProvider(long nowMs) : TimeProvider
{
    public long NowMs { get; set; } = nowMs;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);

    public void Advance(long ms) => NowMs += ms;
}
