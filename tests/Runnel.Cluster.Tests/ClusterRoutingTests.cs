using System.Text.Json;
using Runnel.Client.Consumer;
using Runnel.Client.Producer;
using Runnel.Cluster.Tests.Infrastructure;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cluster.Tests;

/// <summary>One three-silo cluster shared by the tests of routing, placement and clients (none of them kills a silo).</summary>
public sealed class ThreeSilos : IAsyncLifetime
{
    public SiloCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await SiloCluster.StartAsync(3);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[Collection(ClusterCollection.Name)]
public sealed class ClusterRoutingTests(ThreeSilos fixture) : IClassFixture<ThreeSilos>
{
    private SiloCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_12_partition_topic_has_leaders_on_every_silo_and_real_clients_produce_and_consume_it()
    {
        string topic = TestData.UniqueTopic("spread");
        await Cluster.CreateTopicAsync(topic, 12);

        // Every silo answers the same leaders: 12 over 3 silos, at most 5 on any one.
        int[] leaders = SiloCluster.Leaders(Cluster[0], topic);
        for (int node = 0; node < 3; node++)
        {
            Assert.InRange(leaders.Count(l => l == node), 1, 5);
        }

        await WaitUntilAsync(() => Cluster.Silos.All(s => SiloCluster.Leaders(s, topic).SequenceEqual(leaders)), "every silo to answer the same leaders");

        // librdkafka 2.16 writes to every partition through whichever silo leads it; Runnel.Client follows.
        await ConfluentClients.ProduceAsync(Cluster.BootstrapServers, topic, 12, perPartition: 50);
        await using (var producer = new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = Cluster[1].BootstrapServers }))
        {
            for (int i = 50; i < 100; i++)
            {
                for (int p = 0; p < 12; p++)
                {
                    await producer.ProduceAsync(new ProducerRecord<string, string>(topic, $"k{i}", $"{p}:{i}") { Partition = p });
                }
            }
        }

        Dictionary<int, List<(long Offset, string Value)>> read = ConfluentClients.ReadAll(Cluster[2].BootstrapServers, topic, 12);
        for (int p = 0; p < 12; p++)
        {
            Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{p}:{i}"), read[p].Select(r => r.Value));
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), read[p].Select(r => r.Offset));
        }

        // kcat (librdkafka 2.0.2) reads a partition led elsewhere, bootstrapped from a silo that does not lead it.
        int notLedBySilo0 = Array.FindIndex(leaders, l => l != 0);
        ProcessResult kcat = await Kcat.RunAsync(["-C", "-b", Cluster[0].BootstrapServers, "-t", topic, "-p", SiloCluster.Text(notLedBySilo0), "-o", "beginning", "-e", "-f", "%s\n"]);
        kcat.EnsureSuccess("kcat across silos");
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{notLedBySilo0}:{i}"), kcat.StdoutLines.Where(l => l.Length > 0));
    }

    [Fact]
    public async Task A_topic_created_through_one_silo_is_known_at_once_to_every_other()
    {
        // Each silo rereads the shared metadata every 500 ms; asked about a name or id it does not know, it must reread
        // first instead of answering UNKNOWN_TOPIC_OR_PARTITION from a snapshot older than the creation. Auto-creation
        // is off in these requests: it would reread on its own and hide a stale answer.
        for (int round = 0; round < 5; round++)
        {
            string topic = TestData.UniqueTopic("known");
            var create = new CreateTopicsRequest { TimeoutMs = 10_000 };
            create.Topics.Add(new() { Name = topic, NumPartitions = 3, ReplicationFactor = 1 });
            CreateTopicsResponse created = await WireCall.SendAsync<CreateTopicsResponse>(Cluster[round % 3].KafkaPort, ApiKey.CreateTopics, 7, create);
            Assert.Equal(0, created.Topics[0].ErrorCode);
            Assert.NotEqual(Guid.Empty, created.Topics[0].TopicId);

            foreach (SiloProcess silo in Cluster.Silos)
            {
                var byName = new MetadataRequest { Topics = [new() { Name = topic }], AllowAutoTopicCreation = false };
                MetadataResponse named = await WireCall.SendAsync<MetadataResponse>(silo.KafkaPort, ApiKey.Metadata, 12, byName);
                Assert.Equal(0, named.Topics[0].ErrorCode);
                Assert.Equal(3, named.Topics[0].Partitions.Count);
                Assert.Equal(created.Topics[0].TopicId, named.Topics[0].TopicId);
            }

            foreach (SiloProcess silo in Cluster.Silos)
            {
                var byId = new MetadataRequest { Topics = [new() { Name = null, TopicId = created.Topics[0].TopicId }], AllowAutoTopicCreation = false };
                MetadataResponse identified = await WireCall.SendAsync<MetadataResponse>(silo.KafkaPort, ApiKey.Metadata, 12, byId);
                Assert.Equal(0, identified.Topics[0].ErrorCode);
                Assert.Equal(topic, identified.Topics[0].Name);
            }
        }
    }

    [Fact]
    public async Task A_request_to_a_silo_that_does_not_lead_gets_not_leader_or_not_coordinator()
    {
        string topic = TestData.UniqueTopic("routing");
        await Cluster.CreateTopicAsync(topic, 3);
        int[] leaders = SiloCluster.Leaders(Cluster[0], topic);
        int partition = 0;
        SiloProcess wrong = Cluster.Silos.First(s => s != Cluster[leaders[partition]]);

        var produce = new ProduceRequest { Acks = -1, TimeoutMs = 5000 };
        var batch = new Runnel.Records.RecordBatchBuilder();
        batch.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "k"u8.ToArray(), "v"u8.ToArray());
        produce.TopicData.Add(new() { Name = topic, PartitionData = [new() { Index = partition, Records = batch.ToArray() }] });
        ProduceResponse produced = await WireCall.SendAsync<ProduceResponse>(wrong.KafkaPort, ApiKey.Produce, 9, produce);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, produced.Responses[0].PartitionResponses[0].ErrorCode);

        var fetch = new FetchRequest { MaxWaitMs = 10, MinBytes = 1, MaxBytes = 1 << 20, ReplicaId = -1 };
        fetch.Topics.Add(new() { Topic = topic, Partitions = [new() { Partition = partition, FetchOffset = 0, PartitionMaxBytes = 1 << 20, CurrentLeaderEpoch = -1, LogStartOffset = -1 }] });
        FetchResponse fetched = await WireCall.SendAsync<FetchResponse>(wrong.KafkaPort, ApiKey.Fetch, 11, fetch);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, fetched.Responses[0].Partitions[0].ErrorCode);

        var list = new ListOffsetsRequest { ReplicaId = -1 };
        list.Topics.Add(new() { Name = topic, Partitions = [new() { PartitionIndex = partition, Timestamp = -1, CurrentLeaderEpoch = -1 }] });
        ListOffsetsResponse listed = await WireCall.SendAsync<ListOffsetsResponse>(wrong.KafkaPort, ApiKey.ListOffsets, 5, list);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, listed.Topics[0].Partitions[0].ErrorCode);

        var delete = new DeleteRecordsRequest { TimeoutMs = 5000 };
        delete.Topics.Add(new() { Name = topic, Partitions = [new() { PartitionIndex = partition, Offset = 0 }] });
        DeleteRecordsResponse deleted = await WireCall.SendAsync<DeleteRecordsResponse>(wrong.KafkaPort, ApiKey.DeleteRecords, 2, delete);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, deleted.Topics[0].Partitions[0].ErrorCode);

        // Groups: FindCoordinator names one silo; every group API sent to another answers NOT_COORDINATOR.
        string group = "routing-" + Guid.NewGuid().ToString("N")[..6];
        FindCoordinatorResponse found = await WireCall.SendAsync<FindCoordinatorResponse>(Cluster[0].KafkaPort, ApiKey.FindCoordinator, 3, new FindCoordinatorRequest { Key = group });
        Assert.Equal(0, found.ErrorCode);
        SiloProcess notCoordinator = Cluster.Silos.First(s => s.KafkaPort != found.Port);
        int port = notCoordinator.KafkaPort;
        var join = new JoinGroupRequest { GroupId = group, SessionTimeoutMs = 10_000, RebalanceTimeoutMs = 10_000, MemberId = "", ProtocolType = "consumer" };
        join.Protocols.Add(new() { Name = "range", Metadata = new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 } });
        Assert.Equal((short)ErrorCode.NotCoordinator, (await WireCall.SendAsync<JoinGroupResponse>(port, ApiKey.JoinGroup, 5, join)).ErrorCode);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await WireCall.SendAsync<HeartbeatResponse>(port, ApiKey.Heartbeat, 3, new HeartbeatRequest { GroupId = group, GenerationId = 1, MemberId = "m" })).ErrorCode);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await WireCall.SendAsync<SyncGroupResponse>(port, ApiKey.SyncGroup, 3, new SyncGroupRequest { GroupId = group, GenerationId = 1, MemberId = "m" })).ErrorCode);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await WireCall.SendAsync<LeaveGroupResponse>(port, ApiKey.LeaveGroup, 1, new LeaveGroupRequest { GroupId = group, MemberId = "m" })).ErrorCode);
        var commit = new OffsetCommitRequest { GroupId = group, GenerationIdOrMemberEpoch = -1, MemberId = "" };
        commit.Topics.Add(new() { Name = topic, Partitions = [new() { PartitionIndex = 0, CommittedOffset = 1 }] });
        Assert.Equal((short)ErrorCode.NotCoordinator, (await WireCall.SendAsync<OffsetCommitResponse>(port, ApiKey.OffsetCommit, 7, commit)).Topics[0].Partitions[0].ErrorCode);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await WireCall.SendAsync<OffsetFetchResponse>(port, ApiKey.OffsetFetch, 7, new OffsetFetchRequest { GroupId = group })).ErrorCode);
        var describe = new DescribeGroupsRequest();
        describe.Groups.Add(group);
        Assert.Equal((short)ErrorCode.NotCoordinator, (await WireCall.SendAsync<DescribeGroupsResponse>(port, ApiKey.DescribeGroups, 5, describe)).Groups[0].ErrorCode);
    }

    [Fact]
    public async Task Groups_of_three_members_commit_and_resume_on_coordinators_spread_over_the_silos()
    {
        string topic = TestData.UniqueTopic("groups");
        await Cluster.CreateTopicAsync(topic, 6);
        await ConfluentClients.ProduceAsync(Cluster.BootstrapServers, topic, 6, perPartition: 20);

        // Enough groups that their coordinators land on different silos (the offsets topic is spread too).
        var coordinators = new HashSet<int>();
        for (int g = 0; g < 6; g++)
        {
            string group = $"g{g}-" + Guid.NewGuid().ToString("N")[..6];
            FindCoordinatorResponse found = await WireCall.SendAsync<FindCoordinatorResponse>(Cluster[0].KafkaPort, ApiKey.FindCoordinator, 3, new FindCoordinatorRequest { Key = group });
            coordinators.Add(found.NodeId);
            await ConsumeWithThreeMembersAsync(group, topic, expected: 120 + (6 * g)); // and one record per partition for each earlier group

            // The group resumes from its commits: a new member reads only what is produced after them.
            await ConfluentClients.ProduceAsync(Cluster.BootstrapServers, topic, 6, perPartition: 1, firstSequence: 1000 + g);
            await using var resumed = new KafkaConsumer<string, string>(new ConsumerOptions { BootstrapServers = Cluster[2].BootstrapServers, GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest, SessionTimeout = TimeSpan.FromSeconds(10) });
            resumed.Subscribe([topic]);
            var next = await TakeAsync(resumed, 6, TimeSpan.FromSeconds(60));
            Assert.All(next, r => Assert.EndsWith($":{1000 + g}", r.Value, StringComparison.Ordinal));
        }

        Assert.True(coordinators.Count >= 2, $"the coordinators of six groups were all on node(s) {string.Join(",", coordinators)}; "
            + $"the offsets topic's leaders as each silo answers: {string.Join(" | ", Cluster.Silos.Select(s => string.Join(",", SiloCluster.Leaders(s, "__consumer_offsets"))))}");
    }

    [Fact]
    public async Task The_cluster_endpoint_lists_every_silo_with_what_it_leads()
    {
        using var document = JsonDocument.Parse(await Cluster[1].Http.GetStringAsync(new Uri("cluster", UriKind.Relative)));
        JsonElement root = document.RootElement;
        Assert.True(root.GetProperty("clustered").GetBoolean());
        Assert.Equal(1, root.GetProperty("localNode").GetInt32());
        var silos = root.GetProperty("silos").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], silos.Select(s => s.GetProperty("nodeId").GetInt32()));
        Assert.All(silos, s => Assert.Equal("alive", s.GetProperty("status").GetString()));
        Assert.Contains(silos, s => s.GetProperty("port").GetInt32() == Cluster[2].KafkaPort);
    }

    [Fact]
    public async Task A_partition_moved_by_the_admin_call_continues_on_its_new_leader_at_the_next_offset()
    {
        string topic = TestData.UniqueTopic("move");
        await Cluster.CreateTopicAsync(topic, 3);
        await ConfluentClients.ProduceAsync(Cluster.BootstrapServers, topic, 3, perPartition: 50);
        int from = SiloCluster.Leaders(Cluster[0], topic)[0];
        int to = (from + 1) % 3;

        using HttpResponseMessage moved = await Cluster[2].Http.PostAsync(new Uri($"cluster/partitions/{topic}/0/move?to={to}", UriKind.Relative), null);
        string body = await moved.Content.ReadAsStringAsync();
        Assert.True(moved.IsSuccessStatusCode, body);
        using (var result = JsonDocument.Parse(body))
        {
            Assert.Equal((from, to, 1, 50L), (result.RootElement.GetProperty("from").GetInt32(), result.RootElement.GetProperty("to").GetInt32(),
                result.RootElement.GetProperty("epoch").GetInt32(), result.RootElement.GetProperty("handedOverAtOffset").GetInt64()));
        }

        await WaitUntilAsync(() => Cluster.Silos.All(s => SiloCluster.Leaders(s, topic)[0] == to), "every silo to name the new leader");
        await ConfluentClients.ProduceAsync(Cluster.BootstrapServers, topic, 1, perPartition: 50, firstSequence: 50);
        List<(long Offset, string Value)> partition0 = ConfluentClients.ReadAll(Cluster[from].BootstrapServers, topic, 3)[0];
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), partition0.Select(r => r.Offset)); // no gap: the hand-over was exact
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"0:{i}"), partition0.Select(r => r.Value));

        using HttpResponseMessage toNobody = await Cluster[0].Http.PostAsync(new Uri($"cluster/partitions/{topic}/1/move?to=7", UriKind.Relative), null);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, toNobody.StatusCode);
        using HttpResponseMessage noTopic = await Cluster[0].Http.PostAsync(new Uri("cluster/partitions/no-such-topic/0/move?to=1", UriKind.Relative), null);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, noTopic.StatusCode);
    }

    private async Task ConsumeWithThreeMembersAsync(string group, string topic, int expected)
    {
        var members = Enumerable.Range(0, 3).Select(i => new KafkaConsumer<string, string>(new ConsumerOptions
        {
            BootstrapServers = Cluster[i].BootstrapServers,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeout = TimeSpan.FromSeconds(10),
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            FetchMaxWait = TimeSpan.FromMilliseconds(200),
        })).ToList();
        try
        {
            var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>();
            using var done = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var readers = members.Select(async member =>
            {
                member.Subscribe([topic]);
                try
                {
                    await foreach (ConsumeResult<string, string> record in member.ConsumeAsync(done.Token))
                    {
                        seen.TryAdd(record.Value, 0);
                        await member.CommitAsync(done.Token);
                        if (seen.Count >= expected)
                        {
                            await done.CancelAsync();
                        }
                    }
                }
                catch (OperationCanceledException) when (done.IsCancellationRequested)
                {
                }
            }).ToList();
            await Task.WhenAll(readers);
            Assert.Equal(expected, seen.Count);
        }
        finally
        {
            foreach (KafkaConsumer<string, string> member in members)
            {
                await member.DisposeAsync();
            }
        }
    }

    private static async Task<List<ConsumeResult<string, string>>> TakeAsync(KafkaConsumer<string, string> consumer, int count, TimeSpan timeout)
    {
        var records = new List<ConsumeResult<string, string>>();
        using var limit = new CancellationTokenSource(timeout);
        await foreach (ConsumeResult<string, string> record in consumer.ConsumeAsync(limit.Token))
        {
            records.Add(record);
            if (records.Count == count)
            {
                break;
            }
        }

        return records;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited 30 s for {what}");
            await Task.Delay(200);
        }
    }
}
