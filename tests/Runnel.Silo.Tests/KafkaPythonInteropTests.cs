using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>kafka-python 2.0.2 (Debian, /usr/bin/python3) with version probing on, against a real silo.</summary>
public sealed class KafkaPythonInteropTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private const string Script = "kafka_python_client.py";
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task ProducedRecordsAreConsumedBackUnchanged()
    {
        var topic = TestData.UniqueTopic("kp-roundtrip");
        var records = TestData.Records(topic, 2_000, ("client", "kafka-python"), ("n", "1"));

        var produced = await PythonClients.RunAsync(Script, ["produce", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--acks", "all"],
            PythonClients.JsonLines(records));
        produced.EnsureSuccess("kafka-python produce failed");
        TestData.AssertProducedOffsets(produced, records.Count);

        var consumed = await PythonClients.KafkaPythonConsumeAsync(_silo, topic);
        TestData.AssertSameRecords(records, consumed, context: "kafka-python consumer");
    }

    [Fact]
    public async Task AdminClientCreatesAndDeletesTopics()
    {
        var topic = TestData.UniqueTopic("kp-admin");

        var created = await PythonClients.RunAsync(Script, ["create", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--partitions", "3"]);
        created.EnsureSuccess("KafkaAdminClient.create_topics failed");
        AssertNoTopicErrors(created);
        var listing = await Kcat.ListAsync(_silo);
        Assert.True(Kcat.PartitionCount(listing, topic) == 3, $"after create_topics, kcat -L does not show {topic} with 3 partitions:\n{listing}");

        var deleted = await PythonClients.RunAsync(Script, ["delete", "--bootstrap", _silo.BootstrapServers, "--topic", topic]);
        deleted.EnsureSuccess("KafkaAdminClient.delete_topics failed");
        AssertNoTopicErrors(deleted);
        await AssertTopicDisappearsAsync(_silo, topic);
    }

    [Theory]
    [InlineData("gzip", 1)]
    [InlineData("snappy", 2)]
    [InlineData("lz4", 3)]
    [InlineData("zstd", 4)]
    public async Task CompressedRecordsRoundTrip(string codec, int codecId)
    {
        // test.sh installs python3-snappy, python3-lz4 and python3-zstandard; without them this fails here, not silently.
        var codecs = await PythonClients.RunAsync(Script, ["codecs"]);
        codecs.EnsureSuccess();
        using (var doc = JsonDocument.Parse(codecs.StdoutLines.Single(l => l.StartsWith('{'))))
        {
            Assert.True(doc.RootElement.GetProperty(codec).GetBoolean(), $"kafka-python cannot use {codec} here (Debian codec module missing?); run ./test.sh");
        }

        var topic = TestData.UniqueTopic("kp-" + codec);
        var records = TestData.Records(topic, 1_500, ("codec", codec));
        var produced = await PythonClients.RunAsync(Script,
            ["produce", "--bootstrap", _silo.BootstrapServers, "--topic", topic, "--compression", codec, "--linger-ms", "20"],
            PythonClients.JsonLines(records));
        produced.EnsureSuccess($"kafka-python produce with {codec} failed");
        TestData.AssertProducedOffsets(produced, records.Count);

        TestData.AssertSameRecords(records, await PythonClients.KafkaPythonConsumeAsync(_silo, topic), context: $"kafka-python {codec} -> kafka-python");
        TestData.AssertSameRecords(records, await Kcat.ConsumeAsync(_silo, topic), context: $"kafka-python {codec} -> kcat");

        await StoredBatches.AssertCodecAsync(_silo, topic, codecId);
    }

    internal static void AssertNoTopicErrors(ProcessResult result)
    {
        using var doc = JsonDocument.Parse(result.StdoutLines.Single(l => l.StartsWith('{')));
        foreach (var error in doc.RootElement.GetProperty("errors").EnumerateArray())
        {
            Assert.True(error[1].GetInt32() == 0, $"topic error {error}\n{result.Describe()}");
        }
    }

    /// <summary>Deletion may complete after the response; kcat -L must stop listing the topic within 15 s.</summary>
    internal static async Task AssertTopicDisappearsAsync(SiloProcess silo, string topic)
    {
        var listing = string.Empty;
        for (var attempt = 0; attempt < 30; attempt++)
        {
            listing = await Kcat.ListAsync(silo);
            if (Kcat.PartitionCount(listing, topic) is null)
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"{topic} is still listed 15 s after it was deleted:\n{listing}");
    }
}
