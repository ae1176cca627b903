using Runnel.Client.Admin;
using Runnel.Client.Producer;
using Runnel.Protocol;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>Topics, partitions, configs and offsets through the admin client, checked with kcat where it can see them.</summary>
public sealed class AdminTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private SiloProcess Silo => fixture.Silo;

    [Fact]
    public async Task Create_describe_grow_configure_and_delete_a_topic()
    {
        string topic = TestData.UniqueTopic("admin");
        await using var admin = new KafkaAdminClient(TestHelpers.Producer(Silo));
        await admin.CreateTopicsAsync([new TopicSpecification(topic, 2) { Configs = new Dictionary<string, string> { ["retention.ms"] = "3600000" } }]);
        var duplicate = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync([new TopicSpecification(topic, 2)]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, duplicate.ErrorCode);

        TopicDescription described = Assert.Single(await admin.DescribeTopicsAsync([topic]));
        Assert.Equal(2, described.Partitions.Count);
        Assert.Contains(topic, await admin.ListTopicsAsync());
        Assert.Equal(2, Kcat.PartitionCount(await Kcat.ListAsync(Silo), topic));

        await admin.CreatePartitionsAsync(topic, 4);
        Assert.Equal(4, (await admin.DescribeTopicsAsync([topic]))[0].Partitions.Count);

        IReadOnlyDictionary<string, ConfigEntry> configs = await admin.DescribeTopicConfigsAsync(topic);
        Assert.Equal("3600000", configs["retention.ms"].Value);
        await admin.IncrementalAlterTopicConfigsAsync(topic, [new ConfigChange("retention.ms", "7200000"), new ConfigChange("segment.bytes", "1048576")]);
        configs = await admin.DescribeTopicConfigsAsync(topic);
        Assert.Equal("7200000", configs["retention.ms"].Value);
        Assert.Equal("1048576", configs["segment.bytes"].Value);
        await admin.IncrementalAlterTopicConfigsAsync(topic, [new ConfigChange("retention.ms", null, AlterConfigOperation.Delete)]);
        Assert.True((await admin.DescribeTopicConfigsAsync(topic))["retention.ms"].IsDefault);
        var refused = await Assert.ThrowsAsync<KafkaException>(() => admin.IncrementalAlterTopicConfigsAsync(topic, [new ConfigChange("no.such.config", "1")]));
        Assert.False(refused.IsRetriable);

        await admin.DeleteTopicsAsync([topic]);
        Assert.Null(Kcat.PartitionCount(await Kcat.ListAsync(Silo), topic));
    }

    [Fact]
    public async Task Deleting_a_topic_with_an_open_partition_closes_it_cleanly()
    {
        string topic = TestData.UniqueTopic("delete-open");
        await using (var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo)))
        {
            await producer.ProduceAsync(new ProducerRecord<string, string>(topic, "k", "v"));
        }

        await using var admin = new KafkaAdminClient(TestHelpers.Producer(Silo));
        await admin.DeleteTopicsAsync([topic]);

        // The partition closes on the delete and again when it deactivates right after; neither may fail.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain($"A turn of grain partition/{topic}/0 failed", Silo.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_offsets_earliest_latest_and_by_timestamp()
    {
        string topic = TestData.UniqueTopic("offsets");
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 100_000;
        await using (var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo)))
        {
            for (int i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(new ProducerRecord<string, string>(topic, "k", $"v{i}") { Timestamp = t0 + (i * 1000) });
            }
        }

        await using var admin = new KafkaAdminClient(TestHelpers.Producer(Silo));
        var tp = new TopicPartition(topic, 0);
        Assert.Equal(0, (await admin.ListOffsetsAsync([tp], Offsets.Beginning))[tp]);
        Assert.Equal(10, (await admin.ListOffsetsAsync([tp], Offsets.End))[tp]);
        Assert.Equal(4, (await admin.ListOffsetsAsync([tp], t0 + 3500))[tp]);
        Assert.Equal(-1, (await admin.ListOffsetsAsync([tp], t0 + 100_000))[tp]);
    }
}
