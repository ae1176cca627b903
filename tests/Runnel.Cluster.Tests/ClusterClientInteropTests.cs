using Runnel.Cluster.Tests.Infrastructure;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Groups;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cluster.Tests;

/// <summary>
/// The five real clients of the single-silo interop tests, through the same drivers, against three silos: each writes
/// keyed records to every partition of a 12-partition topic (leaders on all three silos) with a bootstrap list naming
/// one silo that leads only a third of them, and reads them all back with its own consumer.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterClientInteropTests(ThreeSilos fixture) : IClassFixture<ThreeSilos>
{
    private const int Partitions = 12;
    private const int PerPartition = 20;

    private SiloCluster Cluster => fixture.Cluster;

    [Theory]
    [InlineData("kafka-python")]
    [InlineData("confluent-kafka")]
    [InlineData("kafkajs")]
    [InlineData("platformatic")]
    public async Task A_client_writes_every_partition_through_one_silo_and_reads_each_back_in_order(string client)
    {
        (string topic, int node) = await CreateSpreadTopicAsync(client);
        SiloProcess bootstrap = Cluster[node];
        List<SpreadRecord> records = SpreadRecords.Create(client, Partitions, PerPartition);

        ProcessResult produced = client switch
        {
            "kafka-python" => await PythonClients.RunAsync("kafka_python_client.py", ["produce", "--bootstrap", bootstrap.BootstrapServers, "--topic", topic, "--acks", "all"], SpreadRecords.JsonLines(records)),
            "confluent-kafka" => await PythonClients.RunAsync("confluent_client.py", ["produce", "--bootstrap", bootstrap.BootstrapServers, "--topic", topic, "--idempotence"], SpreadRecords.JsonLines(records)),
            "kafkajs" => await NodeClients.RunAsync("kafkajs-client.js", ["produce", "--bootstrap", bootstrap.BootstrapServers, "--topic", topic, "--acks", "-1", "--batch", "60"], SpreadRecords.JsonLines(records)),
            _ => await NodeClients.RunAsync("platformatic-client.mjs", ["produce", "--bootstrap", bootstrap.BootstrapServers, "--topic", topic, "--acks", "-1", "--batch", "60"], SpreadRecords.JsonLines(records)),
        };
        produced.EnsureSuccess($"{client} produce through silo {node}");
        SpreadRecords.AssertAcknowledged(records, produced);

        List<ReadRecord> read = client switch
        {
            "kafka-python" => SpreadRecords.FromPythonConsume((await PythonClients.RunAsync("kafka_python_client.py",
                ["consume", "--bootstrap", bootstrap.BootstrapServers, "--topic", topic, "--partitions", SiloCluster.Text(Partitions), "--timeout", "60"])).EnsureSuccess($"{client} consume")),
            "confluent-kafka" => SpreadRecords.FromPythonConsume((await PythonClients.RunAsync("confluent_client.py",
                ["consume", "--bootstrap", bootstrap.BootstrapServers, "--topic", topic, "--partitions", SiloCluster.Text(Partitions), "--timeout", "60"])).EnsureSuccess($"{client} consume")),
            _ => await ReadWithOneGroupMemberAsync(client, bootstrap, topic, records.Count), // kafkajs and @platformatic/kafka consume only in a group
        };
        SpreadRecords.AssertReadBack(records, read, $"{client} through silo {node}");
    }

    [Fact]
    public async Task Kcat_writes_keyed_records_over_every_partition_through_one_silo_and_reads_each_back_in_order()
    {
        (string topic, int node) = await CreateSpreadTopicAsync("kcat");
        SiloProcess bootstrap = Cluster[node];
        List<SpreadRecord> sent = SpreadRecords.Create("kcat", Partitions, PerPartition);

        // No -p: librdkafka's keyed partitioner chooses, so where each key went is learnt from the read.
        string input = string.Concat(sent.Select(r => $"{r.Key}:{r.Value}\n"));
        (await Kcat.RunAsync(["-P", "-b", bootstrap.BootstrapServers, "-t", topic, "-K:", "-H", "client=kcat", "-X", "acks=all"], input)).EnsureSuccess("kcat -P through one silo");
        ProcessResult consumed = await Kcat.RunAsync(["-C", "-b", bootstrap.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p\t%o\t%k\t%s\t%h\n"]);
        consumed.EnsureSuccess("kcat -C of every partition through one silo");

        var read = new List<ReadRecord>();
        foreach (string line in consumed.StdoutLines.Where(l => l.Length > 0))
        {
            string[] fields = line.Split('\t');
            Assert.True(fields.Length == 5, $"unexpected kcat line '{line}'");
            read.Add(new ReadRecord(int.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture), fields[2], fields[3], fields[4].Replace("client=", string.Empty, StringComparison.Ordinal)));
        }

        var partitionOf = read.GroupBy(r => r.Key!).ToDictionary(g => g.Key, g => g.Single().Partition); // each key once
        Assert.Equal(Partitions, partitionOf.Values.Distinct().Count());
        List<SpreadRecord> placed = [.. sent.Select(r => r with { Partition = partitionOf.TryGetValue(r.Key, out int p) ? p : -1 })];
        Assert.DoesNotContain(placed, r => r.Partition < 0);
        SpreadRecords.AssertReadBack(placed, read, $"kcat through silo {node}");
    }

    [Fact]
    public async Task A_topic_created_through_any_silo_is_in_the_next_metadata_of_that_silo_and_of_the_others()
    {
        // The topic's grain runs on any silo; the silo that took the CreateTopics, and a silo asked to auto-create
        // the topic next, must answer it at once rather than after their next metadata refresh (half a second). The
        // same read-back gives a silo that just created the offsets topic its group's coordinator.
        for (int round = 0; round < 4; round++)
        {
            for (int node = 0; node < 3; node++)
            {
                string topic = TestData.UniqueTopic($"created-{node}");
                var create = new CreateTopicsRequest { TimeoutMs = 10_000 };
                create.Topics.Add(new() { Name = topic, NumPartitions = 3, ReplicationFactor = 1 });
                CreateTopicsResponse created = await WireCall.SendAsync<CreateTopicsResponse>(Cluster[node].KafkaPort, ApiKey.CreateTopics, 5, create);
                Assert.Equal(0, created.Topics[0].ErrorCode);

                var known = new MetadataRequest { AllowAutoTopicCreation = false, Topics = [new() { Name = topic }] };
                MetadataResponse here = await WireCall.SendAsync<MetadataResponse>(Cluster[node].KafkaPort, ApiKey.Metadata, 9, known);
                Assert.True(here.Topics[0].ErrorCode == 0 && here.Topics[0].Partitions.Count == 3, $"silo {node} answered {topic} with error {here.Topics[0].ErrorCode} right after creating it");

                int other = (node + 1) % 3;
                var autoCreate = new MetadataRequest { AllowAutoTopicCreation = true, Topics = [new() { Name = topic }] };
                MetadataResponse there = await WireCall.SendAsync<MetadataResponse>(Cluster[other].KafkaPort, ApiKey.Metadata, 9, autoCreate);
                Assert.True(there.Topics[0].ErrorCode == 0 && there.Topics[0].Partitions.Count == 3, $"silo {other}, asked to auto-create {topic}, answered error {there.Topics[0].ErrorCode}");
            }
        }
    }

    /// <summary>A new 12-partition topic, known to every silo, and the node of the silo leading the fewest of its partitions.</summary>
    private async Task<(string Topic, int Node)> CreateSpreadTopicAsync(string client)
    {
        string topic = TestData.UniqueTopic("spread-" + client);
        await Cluster.CreateTopicAsync(topic, Partitions);
        int[] leaders = SiloCluster.Leaders(Cluster[0], topic);
        Assert.True(await SiloCluster.WaitUntilAsync(() => Cluster.Silos.All(s => SiloCluster.Leaders(s, topic).SequenceEqual(leaders)), TimeSpan.FromSeconds(30)), "the silos answer different leaders");
        int[] led = [.. Enumerable.Range(0, 3).Select(node => leaders.Count(l => l == node))];
        Assert.All(led, count => Assert.InRange(count, 1, 5)); // spread over all three silos
        return (topic, Array.IndexOf(led, led.Min()));
    }

    /// <summary>One group member (the group drivers) from the beginning until it printed <paramref name="count"/> records.</summary>
    private static async Task<List<ReadRecord>> ReadWithOneGroupMemberAsync(string client, SiloProcess bootstrap, string topic, int count)
    {
        using RunningProcess member = GroupMembers.Start(client, bootstrap, topic, topic + "-reader", client + "-reader", 10_000);
        bool all = await SiloCluster.WaitUntilAsync(() => SpreadRecords.FromGroupMember(member.StdoutLines).Count >= count || member.HasExited, TimeSpan.FromSeconds(90))
            && !member.HasExited;
        ProcessResult result = await member.KillAndCollectAsync();
        Assert.True(all, $"{client} read {SpreadRecords.FromGroupMember(result.StdoutLines).Count} of {count} records\n{result.Describe()}");
        return SpreadRecords.FromGroupMember(result.StdoutLines);
    }
}
