using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Runnel.Cluster.Tests.Infrastructure;
using Runnel.Grains.BlobStorage;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cluster.Tests;

/// <summary>
/// Losing a silo of three with SIGKILL while clients write: its partitions get new leaders, what reached the blob
/// tier stays readable, the survivors lose nothing they acknowledged, and the silo that comes back serves none of
/// its old leadership and reports the logs it held.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFailoverTests
{
    private const int Partitions = 6;

    [Fact]
    public async Task A_killed_silo_is_replaced_without_losing_what_was_tiered_or_acknowledged_elsewhere_and_rejoins_fenced()
    {
        await using SiloCluster cluster = await SiloCluster.StartAsync(3);
        string topic = TestData.UniqueTopic("failover");
        await cluster.CreateTopicAsync(topic, Partitions, new Dictionary<string, string> { ["segment.ms"] = "500" });
        await ConfluentClients.ProduceAsync(cluster.BootstrapServers, topic, Partitions, perPartition: 100);
        await WaitUntilTieredAsync(cluster, topic, 100);

        int[] leaders = SiloCluster.Leaders(cluster[0], topic);
        int victim = leaders[0];
        int[] victimPartitions = [.. Enumerable.Range(0, Partitions).Where(p => leaders[p] == victim)];
        int[] survivorPartitions = [.. Enumerable.Range(0, Partitions).Where(p => leaders[p] != victim)];
        SiloProcess survivor = cluster.Silos.First(s => s != cluster[victim]);

        // A producer keeps writing to the survivors' partitions through the kill; every acknowledged record counts.
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<(int Partition, string Value)>();
        using var stop = new CancellationTokenSource();
        Task writer = Task.Run(() => WriteUntilStoppedAsync(survivor.BootstrapServers, topic, survivorPartitions, acknowledged, stop.Token));
        await Task.Delay(1000);

        var clock = Stopwatch.StartNew();
        cluster[victim].KillHard();
        await WaitUntilAsync(() => !SiloCluster.Leaders(survivor, topic).Contains(victim), TimeSpan.FromSeconds(15), "the killed silo's partitions to get new leaders");
        TimeSpan failover = clock.Elapsed;
        await Task.Delay(1000);
        await stop.CancelAsync();
        await writer;
        Assert.True(acknowledged.Count > 0, "the survivors acknowledged nothing while a silo died");

        await ConfluentClients.ProduceAsync(survivor.BootstrapServers, topic, Partitions, perPartition: 10, firstSequence: 10_000);
        Dictionary<int, List<(long Offset, string Value)>> read = ConfluentClients.ReadAll(survivor.BootstrapServers, topic, Partitions);
        foreach (int p in victimPartitions)
        {
            // Everything tiered before the kill, then the new leader's records above every offset the old one used.
            List<string> values = [.. read[p].Select(r => r.Value)];
            Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{p}:{i}").Concat(Enumerable.Range(10_000, 10).Select(i => $"{p}:{i}")), values);
            Assert.True(read[p][100].Offset >= Grains.Cluster.PartitionLease.ReserveAhead, $"the new leader of {p} reused offset {read[p][100].Offset}");
        }

        foreach (int p in survivorPartitions)
        {
            var stored = read[p].Select(r => r.Value).ToHashSet(StringComparer.Ordinal);
            Assert.All(acknowledged.Where(a => a.Partition == p), a => Assert.Contains(a.Value, stored));
            Assert.Equal(read[p].Count, stored.Count); // nothing twice (idempotent producer)
        }

        // The killed silo comes back: it leads none of its old partitions, refuses writes to them, and reports the
        // logs it kept of them instead of serving them.
        await cluster[victim].StartAsync();
        await cluster.WaitForBrokersAsync(3);
        Assert.DoesNotContain(victim, SiloCluster.Leaders(cluster[victim], topic));
        var produce = new ProduceRequest { Acks = -1, TimeoutMs = 5000 };
        var batch = new Runnel.Records.RecordBatchBuilder();
        batch.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "k"u8.ToArray(), "stale"u8.ToArray());
        produce.TopicData.Add(new() { Name = topic, PartitionData = [new() { Index = victimPartitions[0], Records = batch.ToArray() }] });
        ProduceResponse refused = await WireCall.SendAsync<ProduceResponse>(cluster[victim].KafkaPort, ApiKey.Produce, 9, produce);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, refused.Responses[0].PartitionResponses[0].ErrorCode);

        await WaitUntilAsync(() => StrandedPartitions(cluster[victim], topic).Count == victimPartitions.Length, TimeSpan.FromSeconds(15), "the rejoined silo to report its superseded logs");
        Assert.Equal(victimPartitions, StrandedPartitions(cluster[victim], topic).Order());
        Assert.Contains("not served", cluster[victim].Output, StringComparison.Ordinal);
        Assert.True(failover < TimeSpan.FromSeconds(15), $"failover took {failover}");
    }

    private static List<int> StrandedPartitions(SiloProcess silo, string topic)
    {
        using var document = JsonDocument.Parse(silo.Http.GetStringAsync(new Uri("cluster", UriKind.Relative)).GetAwaiter().GetResult());
        return [.. document.RootElement.GetProperty("strandedLogs").EnumerateArray()
            .Where(e => e.GetProperty("topic").GetString() == topic)
            .Select(e => e.GetProperty("partition").GetInt32())];
    }

    private static async Task WriteUntilStoppedAsync(string bootstrap, string topic, int[] partitions, System.Collections.Concurrent.ConcurrentBag<(int, string)> acknowledged, CancellationToken stop)
    {
        using IProducer<string, string> producer = ConfluentClients.Producer(bootstrap);
        for (int i = 0; !stop.IsCancellationRequested && i < 100_000; i++)
        {
            int p = partitions[i % partitions.Length];
            string value = $"{p}:live-{i}";
            try
            {
                await producer.ProduceAsync(new TopicPartition(topic, p), new Message<string, string> { Key = "live", Value = value });
                acknowledged.Add((p, value));
            }
            catch (ProduceException<string, string>)
            {
                // Not acknowledged: not counted.
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Waits until each partition's manifest in the shared blob folder covers <paramref name="records"/> offsets (bounded: 60 s).</summary>
    private static async Task WaitUntilTieredAsync(SiloCluster cluster, string topic, long records)
    {
        await using var blobs = new LocalFolderBlobStore(cluster.BlobFolder);
        await WaitUntilAsync(() => TieredEnds(blobs, topic).Result.Count(e => e >= records) == Partitions, TimeSpan.FromSeconds(60), $"every partition of {topic} to reach the blob tier");
    }

    private static async Task<List<long>> TieredEnds(IBlobStore blobs, string topic)
    {
        var ends = new List<long>();
        await foreach (BlobItem item in blobs.ListAsync("topics/", CancellationToken.None))
        {
            if (!item.Name.EndsWith("/manifest.json", StringComparison.Ordinal))
            {
                continue;
            }

            BlobContent? manifest = await blobs.GetAsync(item.Name, CancellationToken.None);
            using var document = JsonDocument.Parse(manifest!.Content);
            if (document.RootElement.GetProperty("topic").GetString() == topic)
            {
                ends.Add(document.RootElement.GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("nextOffset").GetInt64()).DefaultIfEmpty(0).Max());
            }
        }

        return ends;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (KafkaException)
            {
                // a silo answering Metadata was just killed; ask again
            }

            Assert.True(clock.Elapsed < limit, $"waited {limit} for {what}");
            await Task.Delay(200);
        }
    }
}
