using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Xunit.Abstractions;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>
/// Confluent.Kafka 2.16 (librdkafka 2.16, much newer than Debian's 2.0.2) against a real silo: the idempotent
/// producer with every codec, read back by Confluent.Kafka's consumer and by kcat; the admin client on topics,
/// configs, partitions, consumer groups and offsets; offsets by time through the consumer and the admin client.
/// </summary>
public sealed class ConfluentDotnetInteropTests(SiloFixture fixture, ITestOutputHelper output) : IClassFixture<SiloFixture>
{
    private const long BaseTimestamp = 1_700_000_000_000;
    private readonly SiloProcess _silo = fixture.Silo;

    [Theory]
    [InlineData(CompressionType.None, 0)]
    [InlineData(CompressionType.Gzip, 1)]
    [InlineData(CompressionType.Snappy, 2)]
    [InlineData(CompressionType.Lz4, 3)]
    [InlineData(CompressionType.Zstd, 4)]
    public async Task Idempotent_producer_delivers_every_codec_exactly_once_in_order(CompressionType codec, int codecId)
    {
        string name = codec.ToString().ToLowerInvariant();
        string topic = TestData.UniqueTopic("cdn-" + name);
        var records = TestData.Records(topic, 3_000, ("codec", name));
        var config = new ProducerConfig
        {
            BootstrapServers = _silo.BootstrapServers,
            EnableIdempotence = true,
            CompressionType = codec,
            // Small batches, so several are in flight at once (idempotence allows 5) and their order matters.
            BatchNumMessages = 200,
            LingerMs = 5,
        };

        long[] offsets = ConfluentDotnet.ProduceAll(config, topic, records);

        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), offsets);
        TestData.AssertSameRecords(records, ConfluentDotnet.ConsumeAll(_silo.BootstrapServers, topic), context: $"Confluent.Kafka {name} -> Confluent.Kafka");
        TestData.AssertSameRecords(records, await Kcat.ConsumeAsync(_silo, topic), context: $"Confluent.Kafka {name} -> kcat");
        // The silo stores batches as sent: every one carries the codec the producer was given...
        await StoredBatches.AssertCodecAsync(_silo, topic, codecId);
        // ...and one producer's sequences with no gap and no batch twice: exactly once, at the log itself.
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        var batches = await connection.FetchAllBatchesAsync(topic, 0);
        Assert.True(batches.Count > 1, $"{records.Count} records came in {batches.Count} batch; the test wants several in flight");
        Assert.Single(batches.Select(b => (b.ProducerId, b.ProducerEpoch)).Distinct());
        Assert.True(batches[0].ProducerId >= 0, $"batches of {topic} carry producer id {batches[0].ProducerId}: the producer was not idempotent");
        foreach (var batch in batches)
        {
            Assert.True(batch.BaseSequence == batch.BaseOffset, $"batch at offset {batch.BaseOffset} has sequence {batch.BaseSequence}; with one producer from offset 0 they must match");
        }

        output.WriteLine($"{name}: {records.Count} records in {batches.Count} batches, producer id {batches[0].ProducerId}");
    }

    [Fact]
    public async Task Admin_client_creates_describes_alters_grows_and_deletes_topics()
    {
        string topic = TestData.UniqueTopic("cdn-admin");
        using IAdminClient admin = Admin();

        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic, NumPartitions = 2, ReplicationFactor = 1,
            Configs = new() { ["retention.ms"] = "3600000", ["max.message.bytes"] = "2097152" },
        }]);
        var exists = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]));
        Assert.Equal(Confluent.Kafka.ErrorCode.TopicAlreadyExists, Assert.Single(exists.Results).Error.Code);

        TopicDescription described = await DescribeTopicAsync(admin, topic);
        Assert.Equal(2, described.Partitions.Count);
        Assert.False(described.IsInternal);
        Assert.False(described.TopicId.MostSignificantBits == 0 && described.TopicId.LeastSignificantBits == 0, $"{topic} is described with the zero topic id");
        Assert.All(described.Partitions, p => Assert.Equal(0, p.Leader.Id));

        DescribeClusterResult cluster = await admin.DescribeClusterAsync();
        Assert.False(string.IsNullOrEmpty(cluster.ClusterId));
        Node node = Assert.Single(cluster.Nodes);
        Assert.Equal(("127.0.0.1", _silo.KafkaPort), (node.Host, node.Port));
        Assert.Equal(node.Id, cluster.Controller?.Id);

        var resource = new ConfigResource { Type = ResourceType.Topic, Name = topic };
        Dictionary<string, ConfigEntryResult> configs = await DescribeConfigsAsync(admin, resource);
        Assert.Equal(("3600000", false), (configs["retention.ms"].Value, configs["retention.ms"].IsDefault));
        Assert.Equal(("2097152", false), (configs["max.message.bytes"].Value, configs["max.message.bytes"].IsDefault));
        Assert.Equal(("delete", true), (configs["cleanup.policy"].Value, configs["cleanup.policy"].IsDefault));

        // Incremental: SET one config and DELETE another (back to its default); the others stay as they are.
        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] =
            [
                new ConfigEntry { Name = "retention.bytes", Value = "1048576", IncrementalOperation = AlterConfigOpType.Set },
                new ConfigEntry { Name = "retention.ms", IncrementalOperation = AlterConfigOpType.Delete },
            ],
        });
        configs = await DescribeConfigsAsync(admin, resource);
        Assert.Equal(("1048576", false), (configs["retention.bytes"].Value, configs["retention.bytes"].IsDefault));
        Assert.Equal(("604800000", true), (configs["retention.ms"].Value, configs["retention.ms"].IsDefault));
        Assert.Equal("2097152", configs["max.message.bytes"].Value);

        // A name the silo does not know is refused with a reason, and nothing of that request is applied.
        var refused = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] =
            [
                new ConfigEntry { Name = "retention.bytes", Value = "2048", IncrementalOperation = AlterConfigOpType.Set },
                new ConfigEntry { Name = "no.such.config", Value = "1", IncrementalOperation = AlterConfigOpType.Set },
            ],
        }));
        Error refusal = Assert.Single(refused.Results).Error;
        Assert.Equal(Confluent.Kafka.ErrorCode.InvalidConfig, refusal.Code);
        Assert.Contains("no.such.config", refusal.Reason, StringComparison.Ordinal);
        Assert.Equal("1048576", (await DescribeConfigsAsync(admin, resource))["retention.bytes"].Value);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 5 }]);
        TopicDescription grown = await DescribeTopicAsync(admin, topic);
        Assert.Equal(5, grown.Partitions.Count);
        Assert.Equal(described.TopicId.ToString(), grown.TopicId.ToString()); // the same topic, not a new one
        Assert.Equal(5, Kcat.PartitionCount(await Kcat.ListAsync(_silo), topic));
        var shrink = await Assert.ThrowsAsync<CreatePartitionsException>(() => admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 3 }]));
        Assert.Equal(Confluent.Kafka.ErrorCode.InvalidPartitions, Assert.Single(shrink.Results).Error.Code);

        await admin.DeleteTopicsAsync([topic]);
        await KafkaPythonInteropTests.AssertTopicDisappearsAsync(_silo, topic);
        var gone = await Assert.ThrowsAsync<DescribeTopicsException>(() => admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic])));
        Assert.Equal(Confluent.Kafka.ErrorCode.UnknownTopicOrPart, Assert.Single(gone.Results.TopicDescriptions).Error.Code);
    }

    [Fact]
    public async Task Consumer_groups_are_listed_and_described_with_their_committed_offsets()
    {
        string topic = TestData.UniqueTopic("cdn-groups");
        string group = TestData.UniqueTopic("cdn-group");
        using IAdminClient admin = Admin();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 2, ReplicationFactor = 1 }]);
        using (IProducer<string, string> producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _silo.BootstrapServers }).Build())
        {
            for (int i = 0; i < 15; i++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, i < 10 ? 0 : 1), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }
        }

        using IConsumer<string, string> consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = _silo.BootstrapServers, GroupId = group, ClientId = "cdn-member",
            AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        int consumed = 0;
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (consumed < 15)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the group member read {consumed} of 15 records in 60 s");
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not null)
            {
                consumed++;
            }
        }

        consumer.Commit();

        ListConsumerGroupsResult listed = await admin.ListConsumerGroupsAsync();
        ConsumerGroupListing listing = Assert.Single(listed.Valid, g => g.GroupId == group);
        Assert.Equal(ConsumerGroupState.Stable, listing.State);
        Assert.False(listing.IsSimpleConsumerGroup);

        ConsumerGroupDescription description = await DescribeGroupAsync(admin, group);
        Assert.Equal(ConsumerGroupState.Stable, description.State);
        Assert.False(string.IsNullOrEmpty(description.PartitionAssignor));
        Assert.Equal(_silo.KafkaPort, description.Coordinator.Port);
        MemberDescription member = Assert.Single(description.Members);
        Assert.Equal("cdn-member", member.ClientId);
        Assert.Equal([0, 1], member.Assignment.TopicPartitions.Where(p => p.Topic == topic).Select(p => p.Partition.Value).Order());

        await AssertCommittedAsync(admin, group, topic);

        consumer.Close(); // leaves the group; its offsets stay
        description = await DescribeGroupAsync(admin, group);
        Assert.Equal(ConsumerGroupState.Empty, description.State);
        Assert.Empty(description.Members);
        await AssertCommittedAsync(admin, group, topic);
    }

    [Fact]
    public async Task Offsets_by_time_agree_between_the_consumer_the_admin_client_and_kcat()
    {
        string topic = TestData.UniqueTopic("cdn-times");
        var records = TestData.Records(topic, 10);
        // One second apart, except record 7, whose timestamp is the largest: max-timestamp must find it, not the last.
        Timestamp At(int i) => new(BaseTimestamp + (i == 7 ? 50_000 : i * 1000), TimestampType.CreateTime);
        // Uncompressed: the silo finds records by timestamp exactly inside an uncompressed batch.
        ConfluentDotnet.ProduceAll(new ProducerConfig { BootstrapServers = _silo.BootstrapServers, CompressionType = CompressionType.None }, topic, records, At);
        var partition = new TopicPartition(topic, 0);
        using IAdminClient admin = Admin();

        async Task<(long Offset, long Timestamp)> ListAsync(OffsetSpec spec)
        {
            ListOffsetsResult result = await admin.ListOffsetsAsync([new TopicPartitionOffsetSpec { TopicPartition = partition, OffsetSpec = spec }]);
            ListOffsetsResultInfo info = Assert.Single(result.ResultInfos);
            Assert.Equal(Confluent.Kafka.ErrorCode.NoError, info.TopicPartitionOffsetError.Error.Code);
            return (info.TopicPartitionOffsetError.Offset.Value, info.Timestamp);
        }

        Assert.Equal(0, (await ListAsync(OffsetSpec.Earliest())).Offset);
        Assert.Equal(10, (await ListAsync(OffsetSpec.Latest())).Offset);
        Assert.Equal((5, BaseTimestamp + 5000), await ListAsync(OffsetSpec.ForTimestamp(BaseTimestamp + 4500)));
        Assert.Equal((7, BaseTimestamp + 50_000), await ListAsync(OffsetSpec.ForTimestamp(BaseTimestamp + 20_000)));
        Assert.Equal(-1, (await ListAsync(OffsetSpec.ForTimestamp(BaseTimestamp + 60_000))).Offset);
        Assert.Equal((7, BaseTimestamp + 50_000), await ListAsync(OffsetSpec.MaxTimestamp()));

        using (IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _silo.BootstrapServers, GroupId = "unused-" + topic }).Build())
        {
            List<TopicPartitionOffset> found = consumer.OffsetsForTimes(
                [new TopicPartitionTimestamp(partition, new Timestamp(BaseTimestamp + 4500, TimestampType.CreateTime))], TimeSpan.FromSeconds(30));
            Assert.Equal(5, Assert.Single(found).Offset.Value);
            found = consumer.OffsetsForTimes(
                [new TopicPartitionTimestamp(partition, new Timestamp(BaseTimestamp + 60_000, TimestampType.CreateTime))], TimeSpan.FromSeconds(30));
            Assert.Equal(Offset.End, Assert.Single(found).Offset);
        }

        // kcat (librdkafka 2.0.2, ListOffsets v2) starting at the same time reads from the same offset.
        var fromTime = await Kcat.ConsumeAsync(_silo, topic, $"s@{BaseTimestamp + 4500}");
        Assert.Equal([5L, 6, 7, 8, 9], fromTime.Select(r => r.Offset));
        Assert.Equal(At(7).UnixTimestampMs, fromTime.Single(r => r.Offset == 7).Timestamp);
    }

    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _silo.BootstrapServers }).Build();

    private static async Task<TopicDescription> DescribeTopicAsync(IAdminClient admin, string topic)
    {
        DescribeTopicsResult result = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]));
        TopicDescription description = Assert.Single(result.TopicDescriptions);
        Assert.Equal(Confluent.Kafka.ErrorCode.NoError, description.Error.Code);
        return description;
    }

    private static async Task<Dictionary<string, ConfigEntryResult>> DescribeConfigsAsync(IAdminClient admin, ConfigResource resource)
        => Assert.Single(await admin.DescribeConfigsAsync([resource])).Entries;

    private static async Task<ConsumerGroupDescription> DescribeGroupAsync(IAdminClient admin, string group)
    {
        DescribeConsumerGroupsResult result = await admin.DescribeConsumerGroupsAsync([group]);
        ConsumerGroupDescription description = Assert.Single(result.ConsumerGroupDescriptions);
        Assert.Equal(Confluent.Kafka.ErrorCode.NoError, description.Error.Code);
        return description;
    }

    private static async Task AssertCommittedAsync(IAdminClient admin, string group, string topic)
    {
        List<ListConsumerGroupOffsetsResult> offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)]);
        var committed = Assert.Single(offsets).Partitions.Where(p => p.Topic == topic).ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
        Assert.Equal(new Dictionary<int, long> { [0] = 10, [1] = 5 }, committed);
    }
}
