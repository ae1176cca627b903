using Runnel.Client.Admin;
using Runnel.Client.Consumer;
using Runnel.Client.Producer;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>
/// Runnel.Client against real clients on a real silo, with every codec each way: kcat (librdkafka), kafka-python,
/// confluent-kafka-python and kafkajs read exactly what Runnel.Client wrote (keys, values, headers, timestamps), and
/// Runnel.Client reads exactly what each of them wrote. The stored batches are checked to carry the codec, so a
/// client that quietly sent uncompressed batches cannot make a test pass.
/// </summary>
public sealed class InteropTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private SiloProcess Silo => fixture.Silo;

    public static TheoryData<string, string> ClientsAndCodecs()
    {
        var data = new TheoryData<string, string>();
        foreach (string client in InteropClients.All)
        {
            foreach (string codec in InteropClients.Codecs)
            {
                data.Add(client, codec);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ClientsAndCodecs))]
    public async Task Records_produced_by_Runnel_are_read_exactly_by(string client, string codec)
    {
        string topic = TestData.UniqueTopic($"rc-{client}-{codec}");
        List<ExpectedRecord> expected = TestData.Records("rc", 300, ("trace", "t-1"), ("origin", "runnel"));
        List<long> timestamps = await ProduceAsync(topic, expected, (CompressionType)InteropClients.CodecId(codec));
        await StoredBatches.AssertCodecAsync(Silo, topic, InteropClients.CodecId(codec));

        List<ConsumedRecord> consumed = await InteropClients.ConsumeAsync(client, Silo, topic, expected.Count);
        TestData.AssertSameRecords(expected, consumed, context: $"Runnel {codec} -> {client}");
        Assert.Equal(timestamps, consumed.Select(c => c.Timestamp));
    }

    [Theory]
    [MemberData(nameof(ClientsAndCodecs))]
    public async Task Records_produced_by_another_client_are_read_exactly_by_Runnel(string client, string codec)
    {
        string topic = TestData.UniqueTopic($"{client}-rc-{codec}");
        List<ExpectedRecord> expected = TestData.Records("xc", 300, ("trace", "t-3"), ("origin", client));
        await InteropClients.ProduceAsync(client, Silo, topic, expected, codec);
        await StoredBatches.AssertCodecAsync(Silo, topic, InteropClients.CodecId(codec));
        List<ConsumedRecord> viaKcat = await Kcat.ConsumeAsync(Silo, topic);

        await using var consumer = new KafkaConsumer<string, string>(TestHelpers.Consumer(Silo));
        consumer.Assign([new TopicPartitionOffset(topic, 0, Offsets.Beginning)]);
        List<ConsumeResult<string, string>> records = await TestHelpers.TakeAsync(consumer, expected.Count);

        List<ConsumedRecord> consumed = records.ConvertAll(r => new ConsumedRecord(r.Offset, r.Key, r.Value, TestHelpers.HeaderPairs(r.Headers), r.Timestamp));
        TestData.AssertSameRecords(expected, consumed, context: $"{client} {codec} -> Runnel");
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
