using Runnel.Silo.Tests.Infrastructure;
namespace Runnel.Silo.Tests;

/// <summary>
/// @platformatic/kafka 1.35 (Node 20) against a real silo. What it produces is read back with kcat (keys, values,
/// headers) and with its own Consumer, which always joins a consumer group (groupId is mandatory).
/// </summary>
public sealed class PlatformaticInteropTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private const string Script = "platformatic-client.mjs";
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task ProducerWithAcksAllRoundTrips()
    {
        var topic = TestData.UniqueTopic("pk-acks");
        var records = TestData.Records(topic, 1_500, ("client", "platformatic"));

        var produced = await NodeClients.RunAsync(Script, ["produce", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--acks", "-1"],
            PythonClients.JsonLines(records));
        produced.EnsureSuccess("@platformatic/kafka produce failed");
        TestData.AssertProducedOffsets(produced, records.Count);

        TestData.AssertSameRecords(records, await Kcat.ConsumeAsync(_silo, topic), context: "platformatic -> kcat");
    }

    [Fact]
    public async Task ItsOwnConsumerReadsBackWhatItProduced()
    {
        var topic = TestData.UniqueTopic("pk-consume");
        var records = TestData.Records(topic, 300);
        var produced = await NodeClients.RunAsync(Script, ["produce", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--acks", "-1"],
            PythonClients.JsonLines(records));
        produced.EnsureSuccess("@platformatic/kafka produce failed");

        // The group member runs until killed; it prints {"p","o","v"} per record.
        using var consumer = RunningProcess.Start("node",
            [Path.Combine(RepoPaths.Root, "tests", "interop", "groups", "platformatic-group.mjs"), "--bootstrap", _silo.BootstrapServers,
             "--topic", topic, "--group", topic + "-g", "--client-id", "pk-consumer"]);
        int seen = 0;
        bool all = await consumer.WaitForLineAsync(line => line.Contains("\"o\":", StringComparison.Ordinal) && ++seen >= records.Count, TimeSpan.FromSeconds(90));
        var result = await consumer.KillAndCollectAsync();
        Assert.True(all, $"the platformatic consumer read {seen} of {records.Count} records\n{result.Describe()}");

        var consumed = new SortedDictionary<long, string>();
        foreach (var line in result.StdoutLines)
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            if (json.RootElement.TryGetProperty("o", out var offset))
            {
                consumed[offset.GetInt64()] = json.RootElement.GetProperty("v").GetString()!;
            }
        }

        Assert.Equal(records.Count, consumed.Count);
        long expectedOffset = 0;
        foreach (var (offset, value) in consumed)
        {
            Assert.Equal(expectedOffset, offset);
            Assert.Equal(records[(int)offset].Value, value);
            expectedOffset++;
        }
    }

    [Fact]
    public async Task IdempotentProducerRoundTrips()
    {
        var topic = TestData.UniqueTopic("pk-idem");
        var records = TestData.Records(topic, 1_000, ("client", "platformatic"));

        var produced = await NodeClients.RunAsync(Script, ["produce", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--idempotent"],
            PythonClients.JsonLines(records));
        produced.EnsureSuccess("@platformatic/kafka idempotent produce failed");
        TestData.AssertProducedOffsets(produced, records.Count);

        TestData.AssertSameRecords(records, await Kcat.ConsumeAsync(_silo, topic), context: "platformatic idempotent -> kcat");
        await StoredBatches.AssertIdempotentAsync(_silo, topic);
    }

    // zstd: @platformatic/kafka 1.35 uses node:zlib's zstd, which Node 20 lacks, so only these three.
    [Theory]
    [InlineData("gzip", 1)]
    [InlineData("snappy", 2)]
    [InlineData("lz4", 3)]
    public async Task CompressedRecordsRoundTrip(string codec, int codecId)
    {
        var topic = TestData.UniqueTopic("pk-" + codec);
        var records = TestData.Records(topic, 1_500, ("codec", codec));

        var produced = await NodeClients.RunAsync(Script,
            ["produce", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--compression", codec, "--batch", "250"],
            PythonClients.JsonLines(records));
        produced.EnsureSuccess($"@platformatic/kafka produce with {codec} failed");
        TestData.AssertProducedOffsets(produced, records.Count);

        TestData.AssertSameRecords(records, await Kcat.ConsumeAsync(_silo, topic), context: $"platformatic {codec} -> kcat");
        await StoredBatches.AssertCodecAsync(_silo, topic, codecId);
    }
}
