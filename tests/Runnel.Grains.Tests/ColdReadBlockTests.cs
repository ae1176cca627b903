using Runnel.Grains.Storage;

namespace Runnel.Grains.Tests;

/// <summary>
/// Blocks read for consumers of evicted segments live outside the hot cache's budget, so a partition frees those
/// no fetch has used for <see cref="ColdSegmentReader.IdleBlockLifetime"/>; a consumer still reading keeps its own.
/// </summary>
public sealed class ColdReadBlockTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly SteppedClock _clock = new();

    [Fact]
    public async Task Blocks_of_a_finished_cold_read_are_freed_after_the_idle_lifetime_and_reads_still_work()
    {
        var cache = new SegmentCache(budgetBytes: 1); // keeps nothing sealed in memory: older segments read cold
        var options = new LogOptions { SegmentBytes = 4096, RetentionMs = -1, IndexIntervalBytes = 512 };
        using PartitionLog log = PartitionLog.Open(_data.Combine("p"), options, new LogTierContext { Cache = cache, ColdReadBlockBytes = 64 * 1024 }, _clock);
        for (int i = 0; i < 60; i++)
        {
            Assert.True(log.Append(TestBatches.Make(records: 5, valueSize: 40), leaderEpoch: 0).IsSuccess);
        }

        cache.EvictIfOverBudget();
        byte[] first = (await log.ReadAsync(0, 1000, allowOversizedFirstBatch: true, CancellationToken.None)).ReadAll();
        Assert.NotEmpty(first);
        Assert.True(log.ColdBlockCount > 0, "the read of an evicted segment went through cold blocks");

        _clock.Advance(ColdSegmentReader.IdleBlockLifetime - TimeSpan.FromSeconds(1));
        await log.ReadAsync(0, 1000, allowOversizedFirstBatch: true, CancellationToken.None); // still in use
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, log.DropIdleColdBlocks());
        Assert.True(log.ColdBlockCount > 0, "blocks used two seconds ago were freed");

        _clock.Advance(ColdSegmentReader.IdleBlockLifetime);
        Assert.True(log.DropIdleColdBlocks() > 0);
        Assert.Equal(0, log.ColdBlockCount);

        // Freed blocks are only a cache: the same bytes are read again.
        Assert.Equal(first, (await log.ReadAsync(0, 1000, allowOversizedFirstBatch: true, CancellationToken.None)).ReadAll());
    }

    public void Dispose() => _data.Dispose();

    /// <summary>Wall clock and timestamps that move only when the test says (1 tick = 1 ms).</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ms = 1_700_000_000_000;

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => _ms;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(_ms);

        public void Advance(TimeSpan by) => _ms += (long)by.TotalMilliseconds;
    }
}
