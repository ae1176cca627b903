using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>
/// kafkajs 2.2.4 (Node 20) against a real silo. kafkajs only consumes through a consumer group, which this
/// milestone does not have, so what it produces is read back with kafka-python (no group) or kcat.
/// </summary>
public sealed class KafkaJsInteropTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private const string Script = "kafkajs-client.js";
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task ProducerWithAcksAllRoundTrips()
    {
        var topic = TestData.UniqueTopic("kj-acks");
        var records = TestData.Records(topic, 2_000, ("client", "kafkajs"), ("acks", "all"));

        var produced = await NodeClients.RunAsync(Script, ["produce", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--acks", "-1"],
            PythonClients.JsonLines(records));
        produced.EnsureSuccess("kafkajs produce failed");
        TestData.AssertProducedOffsets(produced, records.Count);

        TestData.AssertSameRecords(records, await PythonClients.KafkaPythonConsumeAsync(_silo, topic), context: "kafkajs -> kafka-python consumer");
    }

    [Fact]
    public async Task IdempotentProducerRoundTrips()
    {
        var topic = TestData.UniqueTopic("kj-idem");
        var records = TestData.Records(topic, 2_000, ("client", "kafkajs"));

        var produced = await NodeClients.RunAsync(Script, ["produce", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--idempotent"],
            PythonClients.JsonLines(records));
        produced.EnsureSuccess("kafkajs idempotent produce failed");
        TestData.AssertProducedOffsets(produced, records.Count);

        TestData.AssertSameRecords(records, await Kcat.ConsumeAsync(_silo, topic), context: "kafkajs idempotent -> kcat");
        await StoredBatches.AssertIdempotentAsync(_silo, topic);
    }

    [Fact]
    public async Task AdminCreatesAndDeletesTopics()
    {
        var topic = TestData.UniqueTopic("kj-admin");

        var created = await NodeClients.RunAsync(Script, ["create", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--partitions", "2"]);
        created.EnsureSuccess("kafkajs admin.createTopics failed");
        var listing = await Kcat.ListAsync(_silo);
        Assert.True(Kcat.PartitionCount(listing, topic) == 2, $"after createTopics, kcat -L does not show {topic} with 2 partitions:\n{listing}");

        var listed = await NodeClients.RunAsync(Script, ["list", "--bootstrap", _silo.BootstrapServers]);
        listed.EnsureSuccess("kafkajs admin.listTopics failed");
        using (var doc = JsonDocument.Parse(listed.StdoutLines.Single(l => l.StartsWith('{'))))
        {
            Assert.Contains(topic, doc.RootElement.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        }

        (await NodeClients.RunAsync(Script, ["delete", "--bootstrap", _silo.BootstrapServers, "--topic", topic]))
            .EnsureSuccess("kafkajs admin.deleteTopics failed");
        await KafkaPythonInteropTests.AssertTopicDisappearsAsync(_silo, topic);
    }

    // zstd through zstd-codec (WebAssembly): @kafkajs/zstd needs cppzst, whose native build fails on Node 20.
    [Theory]
    [InlineData("gzip", 1)]
    [InlineData("snappy", 2)]
    [InlineData("lz4", 3)]
    [InlineData("zstd", 4)]
    public async Task CompressedRecordsRoundTrip(string codec, int codecId)
    {
        var topic = TestData.UniqueTopic("kj-" + codec);
        var records = TestData.Records(topic, 2_000, ("codec", codec));

        var produced = await NodeClients.RunAsync(Script,
            ["produce", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--compression", codec, "--batch", "250"],
            PythonClients.JsonLines(records));
        produced.EnsureSuccess($"kafkajs produce with {codec} failed");
        TestData.AssertProducedOffsets(produced, records.Count);

        TestData.AssertSameRecords(records, await Kcat.ConsumeAsync(_silo, topic), context: $"kafkajs {codec} -> kcat");
        await StoredBatches.AssertCodecAsync(_silo, topic, codecId);
    }
}
