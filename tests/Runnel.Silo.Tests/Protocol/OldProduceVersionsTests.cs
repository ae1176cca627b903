using System.Buffers.Binary;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Records;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Protocol;

/// <summary>
/// Produce v0-v2 are advertised (librdkafka 2.0.2 only compresses when v0 is in range): the requests are answered,
/// old message formats are refused per partition, and a v2 batch sent at v2 is stored.
/// </summary>
public sealed class OldProduceVersionsTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private readonly SiloProcess _silo = fixture.Silo;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_magic_1_message_set_is_refused_with_unsupported_for_message_format(short version)
    {
        string topic = TestData.UniqueTopic("old-produce");
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await connection.CreateTopicOrFailAsync(topic);

        ProduceResponse response = await GeneratedMessageClient.SendAsync<ProduceResponse>(connection, ApiKey.Produce, version, Request(topic, MessageSetV1()));

        var partition = Assert.Single(Assert.Single(response.Responses).PartitionResponses);
        Assert.Equal((short)ErrorCode.UnsupportedForMessageFormat, partition.ErrorCode);
        Assert.Equal(0, (await connection.FetchAsync(topic, 0, 0)).HighWatermark);
    }

    [Fact]
    public async Task A_record_batch_v2_sent_with_produce_v2_is_stored()
    {
        string topic = TestData.UniqueTopic("old-produce-v2");
        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await connection.CreateTopicOrFailAsync(topic);
        byte[] batch = new Runnel.Records.RecordBatchBuilder().Add(1_700_000_000_000, "k"u8.ToArray(), "v"u8.ToArray()).ToArray();

        ProduceResponse response = await GeneratedMessageClient.SendAsync<ProduceResponse>(connection, ApiKey.Produce, 2, Request(topic, batch));

        Assert.Equal(0, Assert.Single(Assert.Single(response.Responses).PartitionResponses).ErrorCode);
        Assert.Equal(1, (await connection.FetchAsync(topic, 0, 0)).HighWatermark);
    }

    private static ProduceRequest Request(string topic, byte[] records)
    {
        var request = new ProduceRequest { Acks = -1, TimeoutMs = 5000 };
        var topicData = new ProduceRequest.TopicProduceData { Name = topic };
        topicData.PartitionData.Add(new() { Index = 0, Records = records });
        request.TopicData.Add(topicData);
        return request;
    }

    /// <summary>One message in the pre-0.11 format (magic 1): offset, size, crc, magic, attributes, timestamp, key, value.</summary>
    private static byte[] MessageSetV1()
    {
        var message = new byte[4 + 1 + 1 + 8 + 4 + 4 + 1];
        message[4] = 1; // magic
        BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(6), 1_700_000_000_000);
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(14), -1); // null key
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(18), 1);
        message[22] = (byte)'v';
        var set = new byte[12 + message.Length];
        BinaryPrimitives.WriteInt32BigEndian(set.AsSpan(8), message.Length);
        message.CopyTo(set, 12);
        return set;
    }
}
