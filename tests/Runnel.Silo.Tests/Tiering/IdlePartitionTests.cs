using Runnel.Grains.BlobStorage;
using Runnel.Grains.Tests;
using Runnel.Grains.Tiering;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Tiering;

/// <summary>
/// Partitions keep a timer only while they have work. An idle partition runs no housekeeping turn at all (the
/// silo-wide tick counter stands still), yet its tail is still sealed after segment.ms and uploaded: the timer
/// sleeps until that rule falls due rather than polling for it.
/// </summary>
public sealed class IdlePartitionTests
{
    private const string Ticks = "runnel_log_housekeeping_ticks_total";

    [Fact]
    public async Task IdlePartitionsRunNoHousekeepingTurns()
    {
        using var silo = await SiloProcess.StartNewAsync(new SiloProcessOptions { ExtraArguments = ["--tier-interval-ms", "200"] });
        string topic = TestData.UniqueTopic("idle");
        const int partitions = 40;
        await using (var connection = await RawKafkaConnection.ConnectAsync(silo.KafkaPort))
        {
            await connection.CreateTopicOrFailAsync(topic, partitions);
        }

        // One record in every partition (acks=all: each is flushed once written), then nothing more.
        for (int p = 0; p < partitions; p++)
        {
            var produced = await Kcat.ProduceAsync(silo, topic, TestData.Records($"p{p}-", 1), "-p", p.ToString(System.Globalization.CultureInfo.InvariantCulture), "-X", "acks=all");
            produced.EnsureSuccess("produce");
        }

        // Busy ticks (the flush, the first checks) end within a few intervals; with periodic timers they never would:
        // 40 partitions at 200 ms are 200 turns a second.
        double settled = await SettledTicksAsync(silo, TimeSpan.FromSeconds(30));
        Assert.True(settled >= partitions, $"every touched partition ticks at least once, {settled} turns counted");
        await Task.Delay(TimeSpan.FromSeconds(3));
        double later = await TicksAsync(silo);
        Assert.True(later == settled, $"idle partitions ran {later - settled} housekeeping turns in 3 s\n{silo.OutputTail()}");
    }

    [Fact]
    public async Task AnIdlePartitionsTailIsSealedAndUploadedAfterSegmentMs()
    {
        using var blobs = new TempDirectory();
        await using var store = new LocalFolderBlobStore(blobs.Path);
        using var silo = await SiloProcess.StartNewAsync(new SiloProcessOptions { ExtraArguments = TieringTestSupport.LocalStoreArguments(blobs.Path) });
        string topic = TestData.UniqueTopic("idle-tail");
        await TieringTestSupport.CreateTopicAsync(silo, topic, "segment.ms=2000");
        var records = TestData.Records("tail", 20);
        await TieringTestSupport.ProduceAsync(silo, topic, records);

        // No append follows: only the sleeping timer's wake-up at segment.ms can seal the tail and start its upload.
        TierManifest manifest = await TieringTestSupport.WaitForManifestAsync(store, records.Count, TimeSpan.FromSeconds(60), silo);
        Assert.Equal(records.Count, manifest.EndOffset);
        var consumed = await Kcat.ConsumeAsync(silo, topic);
        TieringTestSupport.AssertRecords(records, consumed, 0, "after the idle tail was tiered");
    }

    private static async Task<double> TicksAsync(SiloProcess silo) =>
        PrometheusMetrics.Parse(await silo.Http.GetStringAsync(new Uri("metrics", UriKind.Relative))).Get(Ticks);

    /// <summary>The tick count once it has stood still for two seconds; fails if it never does within <paramref name="limit"/>.</summary>
    private static async Task<double> SettledTicksAsync(SiloProcess silo, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        double last = await TicksAsync(silo);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            double now = await TicksAsync(silo);
            if (now == last)
            {
                return now;
            }

            last = now;
        }

        Assert.Fail($"housekeeping turns never stopped: {last} after {limit.TotalSeconds} s\n{silo.OutputTail()}");
        return last;
    }
}
