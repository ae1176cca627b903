using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Runnel.Cluster.Tests.Infrastructure;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cluster.Tests;

/// <summary>
/// The silo first in a producer's bootstrap list is SIGKILLed while librdkafka (Confluent.Kafka 2.16) writes to every
/// partition: the producer goes on through the other two for the partitions they lead (and for the dead silo's, once
/// they have new leaders), and from the moment a survivor's Orleans membership declares the silo dead, that
/// survivor's Metadata never lists it again.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BootstrapSiloLossTests
{
    private const int Partitions = 12;

    [Fact]
    public async Task A_producer_continues_through_the_survivors_and_their_metadata_drops_the_dead_bootstrap_silo()
    {
        await using SiloCluster cluster = await SiloCluster.StartAsync(3);
        string topic = TestData.UniqueTopic("bootstrap-loss");
        await cluster.CreateTopicAsync(topic, Partitions);
        string bootstrap = cluster.BootstrapServers; // silo 0 first
        int[] leaders = SiloCluster.Leaders(cluster[0], topic);
        int[] survivorPartitions = [.. Enumerable.Range(0, Partitions).Where(p => leaders[p] != 0)];

        var acknowledged = new ConcurrentQueue<(int Partition, long Offset, string Value, long AtMs)>();
        var failed = new ConcurrentQueue<(int Partition, string Error)>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        Task writer = Task.Run(() => WriteUntilStopped(bootstrap, topic, acknowledged, failed, clock, stop.Token));
        Assert.True(await SiloCluster.WaitUntilAsync(() => acknowledged.Count >= 200, TimeSpan.FromSeconds(30)), $"the producer got {acknowledged.Count} acknowledgements before the kill");

        long killedAtMs = clock.ElapsedMilliseconds;
        cluster[0].KillHard();

        // Each survivor: once its /cluster says node 0 is no longer alive, no Metadata it answers lists node 0.
        foreach (SiloProcess survivor in new[] { cluster[1], cluster[2] })
        {
            Assert.True(await SiloCluster.WaitUntilAsync(() => !IsAlive(survivor, 0), TimeSpan.FromSeconds(20)), "a survivor still reports node 0 alive 20 s after its kill");
            for (int i = 0; i < 10; i++)
            {
                MetadataResponse metadata = await WireCall.SendAsync<MetadataResponse>(survivor.KafkaPort, ApiKey.Metadata, 9, new MetadataRequest { Topics = null });
                Assert.DoesNotContain(0, metadata.Brokers.Select(b => b.NodeId));
                Assert.Equal(2, metadata.Brokers.Count);
                await Task.Delay(100);
            }
        }

        // The survivors' partitions keep being acknowledged after the kill, each of them.
        Assert.True(await SiloCluster.WaitUntilAsync(() => survivorPartitions.All(p => acknowledged.Any(a => a.Partition == p && a.AtMs > killedAtMs + 500)), TimeSpan.FromSeconds(30)),
            $"partitions of the survivors without an acknowledgement after the kill: {string.Join(",", survivorPartitions.Where(p => !acknowledged.Any(a => a.Partition == p && a.AtMs > killedAtMs + 500)))}");

        // The dead silo's partitions get new leaders, and the same producer goes on writing to them there too.
        int[] victimPartitions = [.. Enumerable.Range(0, Partitions).Where(p => leaders[p] == 0)];
        Assert.True(await SiloCluster.WaitUntilAsync(() => !SiloCluster.Leaders(cluster[1], topic).Contains(0), TimeSpan.FromSeconds(20)), "node 0's partitions got no new leaders");
        long movedAtMs = clock.ElapsedMilliseconds;
        Assert.True(await SiloCluster.WaitUntilAsync(() => victimPartitions.All(p => acknowledged.Any(a => a.Partition == p && a.AtMs > movedAtMs)), TimeSpan.FromSeconds(30)),
            $"partitions moved off node 0 without an acknowledgement on their new leaders: {string.Join(",", victimPartitions.Where(p => !acknowledged.Any(a => a.Partition == p && a.AtMs > movedAtMs)))}; failures: {string.Join("; ", failed.Take(5))}");
        await stop.CancelAsync();
        await writer;
        Assert.DoesNotContain(failed, f => survivorPartitions.Contains(f.Partition));

        // Nothing acknowledged by a survivor is missing, and nothing is there twice.
        Dictionary<int, List<(long Offset, string Value)>> read = ConfluentClients.ReadAll(cluster[1].BootstrapServers, topic, Partitions);
        foreach (int p in survivorPartitions)
        {
            var stored = read[p].Select(r => r.Value).ToList();
            Assert.Equal(stored.Count, stored.Distinct(StringComparer.Ordinal).Count());
            Assert.All(acknowledged.Where(a => a.Partition == p), a => Assert.Contains(a.Value, stored));
        }
    }

    private static bool IsAlive(SiloProcess silo, int node)
    {
        using var document = JsonDocument.Parse(silo.Http.GetStringAsync(new Uri("cluster", UriKind.Relative)).GetAwaiter().GetResult());
        return document.RootElement.GetProperty("silos").EnumerateArray()
            .Any(s => s.GetProperty("nodeId").GetInt32() == node && s.GetProperty("status").GetString() == "alive");
    }

    private static void WriteUntilStopped(string bootstrap, string topic, ConcurrentQueue<(int, long, string, long)> acknowledged,
        ConcurrentQueue<(int, string)> failed, Stopwatch clock, CancellationToken stop)
    {
        using IProducer<string, string> producer = ConfluentClients.Producer(bootstrap);
        for (int i = 0; !stop.IsCancellationRequested && i < 200_000; i++)
        {
            int p = i % Partitions;
            producer.Produce(new TopicPartition(topic, p), new Message<string, string> { Key = $"k{i}", Value = $"{p}:{i}" }, report =>
            {
                if (report.Error.IsError)
                {
                    failed.Enqueue((report.Partition.Value, report.Error.ToString()));
                }
                else
                {
                    acknowledged.Enqueue((report.Partition.Value, report.Offset.Value, report.Message.Value, clock.ElapsedMilliseconds));
                }
            });
            if (p == Partitions - 1)
            {
                Thread.Sleep(10); // about 1,200 records a second: enough to see every partition, small enough to read back
            }
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }
}
