using Runnel.Client.Admin;
using Runnel.Client.Consumer;
using Runnel.Client.Producer;
using Runnel.Client.Serialization;
using Runnel.Protocol;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>Null keys and values, empty headers and arrays, and records too large for the client or the topic.</summary>
public sealed class EdgeCaseTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private SiloProcess Silo => fixture.Silo;

    [Fact]
    public async Task Null_and_empty_keys_values_and_headers_round_trip_distinctly()
    {
        string topic = TestData.UniqueTopic("edge");
        await using (var producer = new KafkaProducer<byte[]?, byte[]?>(TestHelpers.Producer(Silo)))
        {
            await producer.ProduceAsync(new ProducerRecord<byte[]?, byte[]?>(topic, null, null) { Partition = 0 });
            await producer.ProduceAsync(new ProducerRecord<byte[]?, byte[]?>(topic, [], []) { Partition = 0, Headers = [] });
            await producer.ProduceAsync(new ProducerRecord<byte[]?, byte[]?>(topic, [1], null) { Partition = 0, Headers = [new Header("n", null), new Header("e", [])] });
        }

        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(TestHelpers.Consumer(Silo));
        consumer.Assign([new TopicPartitionOffset(topic, 0, Offsets.Beginning)]);
        List<ConsumeResult<byte[]?, byte[]?>> records = await TestHelpers.TakeAsync(consumer, 3);
        Assert.Null(records[0].Key);
        Assert.Null(records[0].Value);
        Assert.Empty(records[0].Headers);
        Assert.Equal([], records[1].Key!);
        Assert.Equal([], records[1].Value!);
        Assert.Empty(records[1].Headers);
        Assert.Equal([1], records[2].Key);
        Assert.Null(records[2].Value);
        Assert.Equal(2, records[2].Headers.Count);
        Assert.Null(records[2].Headers[0].Value);
        Assert.Equal([], records[2].Headers[1].Value!);

        ProcessResult kcat = await Kcat.RunAsync(["-C", "-b", Silo.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-f", "%K|%S\n"]);
        kcat.EnsureSuccess();
        Assert.Equal(["-1|-1", "0|0", "1|-1"], kcat.StdoutLines.Where(l => l.Length > 0));
    }

    [Fact]
    public async Task A_value_larger_than_MaxRequestSize_fails_at_once_with_a_clear_exception()
    {
        await using var producer = new KafkaProducer<string, byte[]>(TestHelpers.Producer(Silo));
        var error = await Assert.ThrowsAsync<KafkaException>(async () => await producer.ProduceAsync(TestData.UniqueTopic("huge"), "k", new byte[2 * 1024 * 1024]));
        Assert.Equal(ErrorCode.MessageTooLarge, error.ErrorCode);
        Assert.Contains("MaxRequestSize", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsRetriable);
    }

    [Fact]
    public async Task A_value_larger_than_the_topics_max_message_bytes_fails_with_the_brokers_error_and_later_records_still_go()
    {
        string topic = TestData.UniqueTopic("maxmsg");
        await using (var admin = new KafkaAdminClient(TestHelpers.Producer(Silo)))
        {
            await admin.CreateTopicsAsync([new TopicSpecification(topic, 1) { Configs = new Dictionary<string, string> { ["max.message.bytes"] = "10000" } }]);
        }

        await using var producer = new KafkaProducer<string, byte[]>(TestHelpers.Producer(Silo));
        var error = await Assert.ThrowsAsync<KafkaException>(async () => await producer.ProduceAsync(topic, "big", new byte[50_000]));
        Assert.Equal(ErrorCode.MessageTooLarge, error.ErrorCode);
        Assert.Contains(topic, error.Message, StringComparison.Ordinal);

        // The failed batch left a gap in the idempotent sequence; the producer recovers with a new producer id.
        DeliveryResult next = await producer.ProduceAsync(topic, "small", new byte[100]).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, next.Offset);
    }

    [Fact]
    public async Task Json_serializers_round_trip_typed_keys_and_values()
    {
        string topic = TestData.UniqueTopic("json");
        await using (var producer = new KafkaProducer<OrderKey, Order>(TestHelpers.Producer(Silo), Serializers.Json<OrderKey>(), Serializers.Json<Order>()))
        {
            await producer.ProduceAsync(topic, new OrderKey(42), new Order("widget", 3, 9.5m));
        }

        await using var consumer = new KafkaConsumer<OrderKey, Order>(TestHelpers.Consumer(Silo), Deserializers.Json<OrderKey>(), Deserializers.Json<Order>());
        consumer.Assign([new TopicPartitionOffset(topic, 0, Offsets.Beginning)]);
        ConsumeResult<OrderKey, Order> record = (await TestHelpers.TakeAsync(consumer, 1))[0];
        Assert.Equal(new OrderKey(42), record.Key);
        Assert.Equal(new Order("widget", 3, 9.5m), record.Value);

        ProcessResult kcat = await Kcat.RunAsync(["-C", "-b", Silo.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-f", "%k %s\n"]);
        Assert.Equal("{\"id\":42} {\"item\":\"widget\",\"quantity\":3,\"price\":9.5}", kcat.StdoutLines.First(l => l.Length > 0));
    }

    [Fact]
    public async Task An_explicit_partition_that_does_not_exist_is_refused()
    {
        await using var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo));
        var error = await Assert.ThrowsAsync<KafkaException>(async () =>
            await producer.ProduceAsync(new ProducerRecord<string, string>(TestData.UniqueTopic("nopart"), "k", "v") { Partition = 5 }));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, error.ErrorCode);
    }

    public sealed record OrderKey(int Id);

    public sealed record Order(string Item, int Quantity, decimal Price);
}
