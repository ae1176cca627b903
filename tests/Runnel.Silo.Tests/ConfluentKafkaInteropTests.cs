using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>confluent-kafka-python 1.7.0 (librdkafka 2.0.2, Debian) against a real silo.</summary>
public sealed class ConfluentKafkaInteropTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private const string Script = "confluent_client.py";
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task IdempotentProducerDeliversEverythingInOrder()
    {
        var topic = TestData.UniqueTopic("ck-idem");
        var records = TestData.Records(topic, 5_000, ("client", "confluent"));

        var produced = await PythonClients.RunAsync(Script,
            ["produce", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--idempotence"], PythonClients.JsonLines(records));
        produced.EnsureSuccess("confluent-kafka idempotent produce failed");
        TestData.AssertProducedOffsets(produced, records.Count);

        // confluent-kafka's Consumer is librdkafka's, like kcat's; kcat reads the partition back without a group.
        TestData.AssertSameRecords(records, await Kcat.ConsumeAsync(_silo, topic), context: "confluent idempotent -> kcat");
        await StoredBatches.AssertIdempotentAsync(_silo, topic);
    }

    [Fact]
    public async Task AdminClientCreatesDescribesAndDeletesTopics()
    {
        var topic = TestData.UniqueTopic("ck-admin");

        (await PythonClients.RunAsync(Script, ["create", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--partitions", "2"]))
            .EnsureSuccess("AdminClient.create_topics failed");
        var listing = await Kcat.ListAsync(_silo);
        Assert.True(Kcat.PartitionCount(listing, topic) == 2, $"after create_topics, kcat -L does not show {topic} with 2 partitions:\n{listing}");

        using (var configs = await DescribeAsync(topic))
        {
            // Kafka's broker defaults for a topic created without configs.
            Assert.Equal("604800000", ConfigValue(configs, "retention.ms"));
            Assert.Equal("delete", ConfigValue(configs, "cleanup.policy"));
            Assert.Equal("-1", ConfigValue(configs, "retention.bytes"));
        }

        // incremental_alter_configs arrived in confluent-kafka-python 2.2; Debian's 1.7.0 has only the legacy
        // alter_configs (AlterConfigs v0), which the silo advertises, so that is what is exercised here.
        (await PythonClients.RunAsync(Script, ["alter", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--set", "retention.ms=3600000"]))
            .EnsureSuccess("AdminClient.alter_configs failed");
        using (var configs = await DescribeAsync(topic))
        {
            Assert.Equal("3600000", ConfigValue(configs, "retention.ms"));
            Assert.False(configs.RootElement.GetProperty("configs").GetProperty("retention.ms").GetProperty("is_default").GetBoolean(),
                "retention.ms set by alter_configs is still reported as a default");
        }

        (await PythonClients.RunAsync(Script, ["delete", "--bootstrap", _silo.BootstrapServers, "--topic", topic]))
            .EnsureSuccess("AdminClient.delete_topics failed");
        await KafkaPythonInteropTests.AssertTopicDisappearsAsync(_silo, topic);
    }

    [Theory]
    [InlineData("gzip", 1)]
    [InlineData("snappy", 2)]
    [InlineData("lz4", 3)]
    [InlineData("zstd", 4)]
    public async Task CompressedRecordsRoundTrip(string codec, int codecId)
    {
        var topic = TestData.UniqueTopic("ck-" + codec);
        var records = TestData.Records(topic, 3_000, ("codec", codec));

        var produced = await PythonClients.RunAsync(Script,
            ["produce", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--compression", codec], PythonClients.JsonLines(records));
        produced.EnsureSuccess($"confluent-kafka produce with {codec} failed");
        TestData.AssertProducedOffsets(produced, records.Count);

        TestData.AssertSameRecords(records, await Kcat.ConsumeAsync(_silo, topic), context: $"confluent {codec} -> kcat");
        await StoredBatches.AssertCodecAsync(_silo, topic, codecId);
    }

    [Fact]
    public async Task TransactionsCommitAndAbortWithLibrdkafka202()
    {
        var topic = TestData.UniqueTopic("ck-txn");
        (await PythonClients.RunAsync(Script, ["transactions", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--transactional-id", "tx-" + topic]))
            .EnsureSuccess("a transactional producer of confluent-kafka-python failed");

        Assert.Equal(["c1", "c2", "c3"], await ConsumeValuesAsync(topic, "read_committed"));
        Assert.Equal(["c1", "c2", "a1", "c3"], await ConsumeValuesAsync(topic, "read_uncommitted"));
    }

    private async Task<List<string?>> ConsumeValuesAsync(string topic, string isolation)
    {
        var consumed = await PythonClients.RunAsync(Script, ["consume", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--isolation", isolation]);
        consumed.EnsureSuccess($"a {isolation} consumer of confluent-kafka-python failed");
        return consumed.StdoutLines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("value").GetString()).ToList();
    }

    private async Task<JsonDocument> DescribeAsync(string topic)
    {
        var described = await PythonClients.RunAsync(Script, ["describe", "--bootstrap", _silo.BootstrapServers, "--topic", topic]);
        described.EnsureSuccess("AdminClient.describe_configs failed");
        return JsonDocument.Parse(described.StdoutLines.Single(l => l.StartsWith('{')));
    }

    private static string? ConfigValue(JsonDocument described, string name)
    {
        var configs = described.RootElement.GetProperty("configs");
        Assert.True(configs.TryGetProperty(name, out var entry), $"describe_configs has no {name}: {configs}");
        return entry.GetProperty("value").GetString();
    }
}
