using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Protocol.Tests.ProtocolTests;

public class MessageRoundTripTests
{
    public static TheoryData<string, short> AllVersions()
    {
        var data = new TheoryData<string, short>();
        foreach (Type t in ProtocolTestSupport.MessageTypes)
        {
            foreach (short v in ProtocolTestSupport.Versions(t))
            {
                data.Add(t.Name, v);
            }
        }

        return data;
    }

    private static Type TypeOf(string name) => ProtocolTestSupport.MessageTypes.Single(t => t.Name == name);

    [Fact]
    public void EveryDefinitionWasGenerated()
    {
        Assert.Equal(66, ProtocolTestSupport.MessageTypes.Count);
        Assert.Equal(31, ApiMessageCatalog.All.Count);
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void FilledMessage_RoundTrips(string typeName, short version)
    {
        Type type = TypeOf(typeName);
        IKafkaMessage original = ProtocolTestSupport.Filled(type);
        byte[] first = ProtocolTestSupport.Encode(original, version);
        IKafkaMessage decoded = ProtocolTestSupport.Decode(type, first, version, out int remaining);
        Assert.Equal(0, remaining);
        byte[] second = ProtocolTestSupport.Encode(decoded, version);
        Assert.Equal(first, second);
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void DefaultMessage_RoundTrips(string typeName, short version)
    {
        Type type = TypeOf(typeName);
        IKafkaMessage original = ProtocolTestSupport.Create(type);
        byte[] first;
        try
        {
            first = ProtocolTestSupport.Encode(original, version);
        }
        catch (KafkaProtocolException e) when (e.ErrorCode == ErrorCode.InvalidRequest)
        {
            return; // a field whose default is null is not nullable in this version
        }

        IKafkaMessage decoded = ProtocolTestSupport.Decode(type, first, version, out int remaining);
        Assert.Equal(0, remaining);
        Assert.Equal(first, ProtocolTestSupport.Encode(decoded, version));
    }

    [Fact]
    public void FilledValues_SurviveTheRoundTrip()
    {
        var request = (ProduceRequest)ProtocolTestSupport.Filled(typeof(ProduceRequest));
        byte[] bytes = ProtocolTestSupport.Encode(request, 11);
        var decoded = (ProduceRequest)ProtocolTestSupport.Decode(typeof(ProduceRequest), bytes, 11, out _);
        Assert.Equal(request.TransactionalId, decoded.TransactionalId);
        Assert.Equal(request.Acks, decoded.Acks);
        Assert.Equal(request.TimeoutMs, decoded.TimeoutMs);
        Assert.Equal(2, decoded.TopicData.Count);
        Assert.Equal(request.TopicData[1].Name, decoded.TopicData[1].Name);
        ProduceRequest.TopicProduceData.PartitionProduceData partition = decoded.TopicData[1].PartitionData[1];
        Assert.Equal(request.TopicData[1].PartitionData[1].Index, partition.Index);
        Assert.Equal(request.TopicData[1].PartitionData[1].Records!.Value.ToArray(), partition.Records!.Value.ToArray());

        // Fields absent from an old version are not written and come back as defaults.
        byte[] v0 = ProtocolTestSupport.Encode(request, 0);
        var decodedV0 = (ProduceRequest)ProtocolTestSupport.Decode(typeof(ProduceRequest), v0, 0, out _);
        Assert.Null(decodedV0.TransactionalId);
    }

    [Fact]
    public void TaggedFields_AreWrittenOnlyWhenNotDefault()
    {
        var response = new FetchResponse.FetchableTopicResponse.PartitionData();
        byte[] plain = ProtocolTestSupport.Encode(response, 12);
        Assert.Equal(0, plain[^1]); // empty tagged-field section
        response.CurrentLeader.LeaderId = 3;
        response.CurrentLeader.LeaderEpoch = 9;
        byte[] tagged = ProtocolTestSupport.Encode(response, 12);
        // count=1, tag=1, size=4+4+1, leaderId, leaderEpoch, nested empty tagged section
        Assert.Equal(new byte[] { 0x01, 0x01, 0x09, 0, 0, 0, 3, 0, 0, 0, 9, 0x00 }, tagged[(plain.Length - 1)..]);
        var decoded = (FetchResponse.FetchableTopicResponse.PartitionData)ProtocolTestSupport.Decode(response.GetType(), tagged, 12, out int remaining);
        Assert.Equal(0, remaining);
        Assert.Equal(3, decoded.CurrentLeader.LeaderId);
        Assert.Equal(9, decoded.CurrentLeader.LeaderEpoch);
        Assert.True(decoded.DivergingEpoch.HasDefaultValues());
    }

    [Fact]
    public void UnknownTaggedFields_AreSkipped()
    {
        // ApiVersionsRequest v3: ClientSoftwareName "a", ClientSoftwareVersion "b", then tags 7 (3 bytes) and 1000 (1 byte).
        byte[] wire = [0x02, (byte)'a', 0x02, (byte)'b', 0x02, 0x07, 0x03, 1, 2, 3, 0xE8, 0x07, 0x01, 0xFF];
        var request = new ApiVersionsRequest();
        var reader = new KafkaReader(wire);
        request.Read(ref reader, 3);
        Assert.Equal(0, reader.Remaining);
        Assert.Equal("a", request.ClientSoftwareName);
        Assert.Equal("b", request.ClientSoftwareVersion);
        Assert.Equal(new byte[] { 0x02, (byte)'a', 0x02, (byte)'b', 0x00 }, ProtocolTestSupport.Encode(request, 3));

        // A known tag outside its tagged versions is skipped too: FetchRequest tag 1 (ReplicaState) before v15.
        var fetch = new FetchRequest { ReplicaId = 0 };
        byte[] v12 = ProtocolTestSupport.Encode(fetch, 12);
        Assert.Equal(0x00, v12[^1]);
        byte[] withForeignTag = [.. v12[..^1], 0x01, 0x01, 0x02, 0xAA, 0xBB];
        var decoded = (FetchRequest)ProtocolTestSupport.Decode(typeof(FetchRequest), withForeignTag, 12, out int remaining);
        Assert.Equal(0, remaining);
        Assert.True(decoded.ReplicaState.HasDefaultValues());
    }

    [Fact]
    public void KnownTaggedField_WithWrongSize_Throws()
    {
        // ApiVersionsResponse v3 tag 1 (FinalizedFeaturesEpoch, int64) announced with size 9.
        var response = new ApiVersionsResponse { FinalizedFeaturesEpoch = 5 };
        byte[] good = ProtocolTestSupport.Encode(response, 3);
        int sizeIndex = Array.IndexOf(good, (byte)0x08);
        byte[] bad = [.. good[..sizeIndex], 0x09, .. good[(sizeIndex + 1)..], 0x00];
        Assert.Throws<KafkaProtocolException>(() => ProtocolTestSupport.Decode(typeof(ApiVersionsResponse), bad, 3, out _));
        var decoded = (ApiVersionsResponse)ProtocolTestSupport.Decode(typeof(ApiVersionsResponse), good, 3, out _);
        Assert.Equal(5, decoded.FinalizedFeaturesEpoch);
    }

    [Fact]
    public void NonNullableField_WrittenAsNull_Throws()
    {
        var request = new MetadataRequest { Topics = null };
        Assert.Throws<KafkaProtocolException>(() => ProtocolTestSupport.Encode(request, 0));
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, ProtocolTestSupport.Encode(request, 1));
    }
}
