using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>
/// A topic's compression.type with Confluent.Kafka 2.16: the idempotent producer compresses with one codec, the
/// silo stores every batch with the topic's (read back by a raw Fetch: codec bits, CRC-32C, producer sequences), and
/// Confluent.Kafka's consumer and kcat read the same records.
/// </summary>
public sealed class ConfluentDotnetCompressionTypeTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private readonly SiloProcess _silo = fixture.Silo;

    [Theory]
    [InlineData("gzip", CompressionType.Zstd, 1)]
    [InlineData("snappy", CompressionType.Gzip, 2)]
    [InlineData("lz4", CompressionType.None, 3)]
    [InlineData("zstd", CompressionType.Lz4, 4)]
    [InlineData("uncompressed", CompressionType.Snappy, 0)]
    [InlineData("producer", CompressionType.Lz4, 3)]
    public async Task The_topic_codec_is_the_stored_codec_whatever_the_producer_sent(string topicCodec, CompressionType producerCodec, int storedCodec)
    {
        string topic = TestData.UniqueTopic("ctype-" + topicCodec);
        using (IAdminClient admin = Admin())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = topic, NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["compression.type"] = topicCodec },
            }]);
        }

        var records = TestData.Records(topic, 1_000, ("codec", producerCodec.ToString()));
        var config = new ProducerConfig
        {
            BootstrapServers = _silo.BootstrapServers, EnableIdempotence = true, CompressionType = producerCodec, BatchNumMessages = 100, LingerMs = 5,
        };
        long[] offsets = ConfluentDotnet.ProduceAll(config, topic, records);

        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), offsets);
        TestData.AssertSameRecords(records, ConfluentDotnet.ConsumeAll(_silo.BootstrapServers, topic), context: $"{producerCodec} into a {topicCodec} topic -> Confluent.Kafka");
        TestData.AssertSameRecords(records, await Kcat.ConsumeAsync(_silo, topic), context: $"{producerCodec} into a {topicCodec} topic -> kcat");
        await StoredBatches.AssertCodecAsync(_silo, topic, storedCodec);

        // Rebuilt batches keep the producer's fields: one producer, sequences equal to offsets, several batches.
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        var batches = await connection.FetchAllBatchesAsync(topic, 0);
        Assert.True(batches.Count > 1, $"{records.Count} records came in {batches.Count} batch");
        Assert.Single(batches.Select(b => (b.ProducerId, b.ProducerEpoch)).Distinct());
        Assert.All(batches, b => Assert.True(b.ProducerId >= 0 && b.BaseSequence == b.BaseOffset, $"batch at {b.BaseOffset}: producer {b.ProducerId}, sequence {b.BaseSequence}"));
    }

    [Fact]
    public async Task Changing_compression_type_applies_to_batches_produced_afterwards()
    {
        string topic = TestData.UniqueTopic("ctype-alter");
        using IAdminClient admin = Admin();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        var first = TestData.Records(topic + "-a", 200);
        var config = new ProducerConfig { BootstrapServers = _silo.BootstrapServers, CompressionType = CompressionType.Snappy, LingerMs = 5 };
        ConfluentDotnet.ProduceAll(config, topic, first);

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [new ConfigResource { Type = ResourceType.Topic, Name = topic }] =
                [new ConfigEntry { Name = "compression.type", Value = "zstd", IncrementalOperation = AlterConfigOpType.Set }],
        });
        var second = TestData.Records(topic + "-b", 200);
        ConfluentDotnet.ProduceAll(config, topic, second);

        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        var batches = await connection.FetchAllBatchesAsync(topic, 0);
        Assert.All(batches, b => Assert.True(b.CrcMatches));
        Assert.All(batches.Where(b => b.BaseOffset < 200), b => Assert.Equal(2, b.CompressionCodec));
        Assert.All(batches.Where(b => b.BaseOffset >= 200), b => Assert.Equal(4, b.CompressionCodec));
        TestData.AssertSameRecords([.. first, .. second], ConfluentDotnet.ConsumeAll(_silo.BootstrapServers, topic), context: "snappy, then zstd after the change");
    }

    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _silo.BootstrapServers }).Build();
}
