using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Protocol.Tests.ProtocolTests;

/// <summary>Encodings written by hand from the Kafka protocol guide, compared byte for byte.</summary>
public class KnownWireBytesTests
{
    private static byte[] Frame(ApiKey apiKey, short apiVersion, int correlationId, string? clientId, IKafkaMessage body)
    {
        using var writer = new KafkaWriter();
        short headerVersion = ApiMessageCatalog.RequestHeaderVersion(apiKey, apiVersion);
        var header = new RequestHeader
        {
            RequestApiKey = (short)apiKey,
            RequestApiVersion = apiVersion,
            CorrelationId = correlationId,
            ClientId = clientId,
        };
        header.Write(writer, headerVersion);
        body.Write(writer, apiVersion);
        return writer.WrittenSpan.ToArray();
    }

    [Fact]
    public void ApiVersionsRequest_V0_WithHeaderV1()
    {
        byte[] expected =
        [
            0x00, 0x12,             // api key 18
            0x00, 0x00,             // api version 0
            0x00, 0x00, 0x00, 0x01, // correlation id
            0x00, 0x03, (byte)'a', (byte)'b', (byte)'c', // client id (int16 length)
        ];
        Assert.Equal(expected, Frame(ApiKey.ApiVersions, 0, 1, "abc", new ApiVersionsRequest()));

        var reader = new KafkaReader(expected);
        var header = new RequestHeader();
        header.Read(ref reader, 1);
        Assert.Equal(18, header.RequestApiKey);
        Assert.Equal("abc", header.ClientId);
        new ApiVersionsRequest().Read(ref reader, 0);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void ApiVersionsRequest_V3_WithHeaderV2()
    {
        byte[] expected =
        [
            0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07,
            0xFF, 0xFF,             // null client id, still int16 length in header v2
            0x00,                   // header tagged fields
            0x07, (byte)'r', (byte)'u', (byte)'n', (byte)'n', (byte)'e', (byte)'l', // compact string
            0x04, (byte)'1', (byte)'.', (byte)'0',
            0x00,                   // body tagged fields
        ];
        var body = new ApiVersionsRequest { ClientSoftwareName = "runnel", ClientSoftwareVersion = "1.0" };
        Assert.Equal(expected, Frame(ApiKey.ApiVersions, 3, 7, null, body));

        var reader = new KafkaReader(expected);
        var header = new RequestHeader();
        header.Read(ref reader, 2);
        Assert.Null(header.ClientId);
        Assert.Equal(7, header.CorrelationId);
        var decoded = new ApiVersionsRequest();
        decoded.Read(ref reader, 3);
        Assert.Equal("runnel", decoded.ClientSoftwareName);
        Assert.Equal("1.0", decoded.ClientSoftwareVersion);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void MetadataRequest_V0_EmptyTopicArray()
    {
        byte[] expected = [0x00, 0x00, 0x00, 0x00];
        Assert.Equal(expected, ProtocolTestSupport.Encode(new MetadataRequest(), 0));
        var decoded = (MetadataRequest)ProtocolTestSupport.Decode(typeof(MetadataRequest), expected, 0, out _);
        Assert.NotNull(decoded.Topics);
        Assert.Empty(decoded.Topics);
        // null is not allowed in v0
        Assert.Throws<KafkaProtocolException>(() => ProtocolTestSupport.Decode(typeof(MetadataRequest), new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, 0, out _));
    }

    [Fact]
    public void MetadataRequest_V1_NullArray()
    {
        byte[] expected = [0xFF, 0xFF, 0xFF, 0xFF];
        Assert.Equal(expected, ProtocolTestSupport.Encode(new MetadataRequest { Topics = null }, 1));
        var decoded = (MetadataRequest)ProtocolTestSupport.Decode(typeof(MetadataRequest), expected, 1, out _);
        Assert.Null(decoded.Topics);
    }

    [Fact]
    public void MetadataRequest_V9_NullArrayCompact()
    {
        // topics null (compact 0), allow auto-create true, include cluster ops false, include topic ops false, tags
        byte[] expected = [0x00, 0x01, 0x00, 0x00, 0x00];
        Assert.Equal(expected, ProtocolTestSupport.Encode(new MetadataRequest { Topics = null }, 9));
    }

    [Fact]
    public void MetadataRequest_V1_OneTopic()
    {
        byte[] expected = [0x00, 0x00, 0x00, 0x01, 0x00, 0x01, (byte)'t'];
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "t" }] };
        Assert.Equal(expected, ProtocolTestSupport.Encode(request, 1));
    }

    [Fact]
    public void ProduceRequest_V3()
    {
        byte[] expected =
        [
            0xFF, 0xFF,             // transactional id null
            0xFF, 0xFF,             // acks -1
            0x00, 0x00, 0x75, 0x30, // timeout 30000
            0x00, 0x00, 0x00, 0x01, // one topic
            0x00, 0x01, (byte)'t',
            0x00, 0x00, 0x00, 0x01, // one partition
            0x00, 0x00, 0x00, 0x02, // index 2
            0x00, 0x00, 0x00, 0x03, 0x0A, 0x0B, 0x0C, // records
        ];
        var request = new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 30000,
            TopicData =
            [
                new ProduceRequest.TopicProduceData
                {
                    Name = "t",
                    PartitionData = [new ProduceRequest.TopicProduceData.PartitionProduceData { Index = 2, Records = new byte[] { 0x0A, 0x0B, 0x0C } }],
                },
            ],
        };
        Assert.Equal(expected, ProtocolTestSupport.Encode(request, 3));
    }

    [Fact]
    public void ResponseHeader_V0_AndV1()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 5 }, ProtocolTestSupport.Encode(new ResponseHeader { CorrelationId = 5 }, 0));
        Assert.Equal(new byte[] { 0, 0, 0, 5, 0 }, ProtocolTestSupport.Encode(new ResponseHeader { CorrelationId = 5 }, 1));
    }

    [Fact]
    public void ApiVersionsResponse_V0()
    {
        var response = new ApiVersionsResponse
        {
            ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = 18, MinVersion = 0, MaxVersion = 4 }],
        };
        byte[] expected = [0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04];
        Assert.Equal(expected, ProtocolTestSupport.Encode(response, 0));
    }
}
