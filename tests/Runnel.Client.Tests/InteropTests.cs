using System.Text.Json;
using Runnel.Client.Admin;
using Runnel.Client.Consumer;
using Runnel.Client.Producer;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>Runnel.Client against real clients on a real silo: kcat (librdkafka) and kafkajs read what it writes, and it reads what kcat writes.</summary>
public sealed class InteropTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private SiloProcess Silo => fixture.Silo;

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    public async Task Records_produced_by_Runnel_are_read_by_kcat_with_equal_keys_values_headers_and_timestamps(CompressionType compression)
    {
        string topic = TestData.UniqueTopic("rc-kcat-" + compression.ToString().ToLowerInvariant());
        List<ExpectedRecord> expected = TestData.Records("rc", 300, ("trace", "t-1"), ("origin", "runnel"));
        List<long> timestamps = await ProduceAsync(topic, expected, compression);

        List<ConsumedRecord> consumed = await Kcat.ConsumeAsync(Silo, topic);
        TestData.AssertSameRecords(expected, consumed, context: "kcat");
        Assert.Equal(timestamps, consumed.Select(c => c.Timestamp));
    }

    [Fact]
    public async Task Records_produced_by_Runnel_are_read_by_kafkajs_with_equal_keys_values_headers_and_timestamps()
    {
        string topic = TestData.UniqueTopic("rc-kafkajs");
        List<ExpectedRecord> expected = TestData.Records("kj", 200, ("trace", "t-2"), ("origin", "runnel"));
        List<long> timestamps = await ProduceAsync(topic, expected, CompressionType.Gzip);

        string modules = Path.Combine(RepoPaths.NodeScripts, "node_modules");
        string script = Path.Combine(AppContext.BaseDirectory, "interop", "kafkajs-consume.js");
        ProcessResult result = await NodeClients.RunAsync(script, [modules, Silo.BootstrapServers, topic, "kj-" + topic, expected.Count.ToString(CultureInfo.InvariantCulture)]);
        result.EnsureSuccess("kafkajs consume failed");

        var consumed = new List<ConsumedRecord>();
        foreach (string line in result.StdoutLines.Where(l => l.StartsWith('{')))
        {
            using var doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            var headers = root.GetProperty("headers").EnumerateObject().Select(h => (h.Name, h.Value.GetString() ?? string.Empty)).ToList();
            consumed.Add(new ConsumedRecord(long.Parse(root.GetProperty("offset").GetString()!, CultureInfo.InvariantCulture),
                root.GetProperty("key").GetString(), root.GetProperty("value").GetString() ?? string.Empty, headers,
                long.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture)));
        }

        TestData.AssertSameRecords(expected, consumed, context: "kafkajs");
        Assert.Equal(timestamps, consumed.Select(c => c.Timestamp));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    public async Task Records_produced_by_kcat_are_read_by_Runnel_with_equal_keys_values_headers_and_timestamps(string codec)
    {
        string topic = TestData.UniqueTopic("kcat-rc-" + codec);
        List<ExpectedRecord> expected = TestData.Records("kc", 300, ("trace", "t-3"), ("origin", "kcat"));
        await Kcat.ProduceAsync(Silo, topic, expected, "-z", codec);
        List<ConsumedRecord> viaKcat = await Kcat.ConsumeAsync(Silo, topic);

        await using var consumer = new KafkaConsumer<string, string>(TestHelpers.Consumer(Silo));
        consumer.Assign([new TopicPartitionOffset(topic, 0, Offsets.Beginning)]);
        List<ConsumeResult<string, string>> records = await TestHelpers.TakeAsync(consumer, expected.Count);

        List<ConsumedRecord> consumed = records.ConvertAll(r => new ConsumedRecord(r.Offset, r.Key, r.Value, TestHelpers.HeaderPairs(r.Headers), r.Timestamp));
        TestData.AssertSameRecords(expected, consumed, context: "Runnel.Client");
        Assert.Equal(viaKcat.Select(k => k.Timestamp), consumed.Select(c => c.Timestamp));
    }

    [Fact]
    public async Task Records_produced_by_Runnel_are_read_by_a_kcat_group_consumer()
    {
        string topic = TestData.UniqueTopic("rc-kcat-group");
        await using (var admin = new KafkaAdminClient(TestHelpers.Producer(Silo)))
        {
            await admin.CreateTopicsAsync([new TopicSpecification(topic, 3)]);
        }

        await using (var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo)))
        {
            for (int i = 0; i < 90; i++)
            {
                await producer.EnqueueAsync(topic, $"key-{i}", $"value-{i}");
            }

            await producer.FlushAsync();
        }

        ProcessResult result = await Kcat.RunAsync(["-b", Silo.BootstrapServers, "-G", "kcat-" + topic, "-X", "auto.offset.reset=earliest", "-e", "-f", "%k=%s\n", topic], timeout: TimeSpan.FromSeconds(120));
        result.EnsureSuccess("kcat -G failed");
        Assert.Equal(Enumerable.Range(0, 90).Select(i => $"key-{i}=value-{i}").Order(), result.StdoutLines.Where(l => l.Contains('=')).Order());
    }

    private async Task<List<long>> ProduceAsync(string topic, List<ExpectedRecord> records, CompressionType compression)
    {
        await using var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo, o => o.Compression = compression));
        long baseTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        var timestamps = new List<long>();
        var deliveries = new List<ValueTask<DeliveryResult>>();
        for (int i = 0; i < records.Count; i++)
        {
            ExpectedRecord r = records[i];
            long timestamp = baseTime + (i * 7);
            timestamps.Add(timestamp);
            deliveries.Add(producer.ProduceAsync(new ProducerRecord<string, string>(topic, r.Key!, r.Value)
            {
                Headers = [.. r.Headers.Select(h => Header.Utf8(h.Key, h.Value))],
                Partition = 0,
                Timestamp = timestamp,
            }));
        }

        for (int i = 0; i < deliveries.Count; i++)
        {
            DeliveryResult delivered = await deliveries[i];
            Assert.Equal(i, delivered.Offset);
        }

        return timestamps;
    }
}
