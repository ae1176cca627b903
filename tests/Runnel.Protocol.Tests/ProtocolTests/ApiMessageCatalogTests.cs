using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Protocol.Tests.ProtocolTests;

public class ApiMessageCatalogTests
{
    [Fact]
    public void Info_MatchesGeneratedConstants()
    {
        ApiMessageInfo produce = ApiMessageCatalog.GetInfo(ApiKey.Produce);
        Assert.Equal("Produce", produce.Name);
        Assert.Equal(ProduceRequest.LowestSupportedVersion, produce.LowestSupportedVersion);
        Assert.Equal(ProduceRequest.HighestSupportedVersion, produce.HighestSupportedVersion);
        Assert.Equal(ProduceRequest.FlexibleVersionsFrom, produce.FlexibleVersionsFrom);
        Assert.Equal(0, ProduceRequest.ApiKey);
        Assert.Equal(11, ProduceRequest.HighestSupportedVersion);
        Assert.Equal(9, ProduceRequest.FlexibleVersionsFrom);
        Assert.Equal(-1, ConsumerProtocolSubscription.FlexibleVersionsFrom);

        foreach (ApiMessageInfo info in ApiMessageCatalog.All)
        {
            IKafkaMessage request = ApiMessageCatalog.CreateRequest(info.ApiKey);
            IKafkaMessage response = ApiMessageCatalog.CreateResponse(info.ApiKey);
            Assert.Equal(info.Name + "Request", request.GetType().Name);
            Assert.Equal(info.Name + "Response", response.GetType().Name);
            Assert.Equal((short)info.ApiKey, ProtocolTestSupport.Const(request.GetType(), "ApiKey"));
            Assert.Equal(info.HighestSupportedVersion, ProtocolTestSupport.Const(request.GetType(), "HighestSupportedVersion"));
            Assert.True(ApiMessageCatalog.IsVersionSupported(info.ApiKey, info.HighestSupportedVersion));
            Assert.False(ApiMessageCatalog.IsVersionSupported(info.ApiKey, (short)(info.HighestSupportedVersion + 1)));
        }
    }

    [Fact]
    public void HeaderVersions()
    {
        Assert.Equal(1, ApiMessageCatalog.RequestHeaderVersion(ApiKey.Produce, 8));
        Assert.Equal(2, ApiMessageCatalog.RequestHeaderVersion(ApiKey.Produce, 9));
        Assert.Equal(0, ApiMessageCatalog.ResponseHeaderVersion(ApiKey.Produce, 8));
        Assert.Equal(1, ApiMessageCatalog.ResponseHeaderVersion(ApiKey.Produce, 9));
        Assert.Equal(1, ApiMessageCatalog.RequestHeaderVersion(ApiKey.ApiVersions, 2));
        Assert.Equal(2, ApiMessageCatalog.RequestHeaderVersion(ApiKey.ApiVersions, 3));
        Assert.Equal(0, ApiMessageCatalog.ResponseHeaderVersion(ApiKey.ApiVersions, 3));
        Assert.Equal(0, ApiMessageCatalog.ResponseHeaderVersion(ApiKey.ApiVersions, 4));
        Assert.Equal(2, ApiMessageCatalog.RequestHeaderVersion(ApiKey.DescribeCluster, 0));
        Assert.Equal(1, ApiMessageCatalog.ResponseHeaderVersion(ApiKey.DescribeCluster, 0));
        Assert.Equal(1, ApiMessageCatalog.RequestHeaderVersion(ApiKey.SaslHandshake, 1));
        Assert.Equal(0, ApiMessageCatalog.ResponseHeaderVersion(ApiKey.SaslHandshake, 1));
    }

    [Fact]
    public void UnknownApiKey()
    {
        Assert.False(ApiMessageCatalog.TryGetInfo((ApiKey)999, out _));
        Assert.False(ApiMessageCatalog.IsSupported((ApiKey)4));
        KafkaProtocolException e = Assert.Throws<KafkaProtocolException>(() => ApiMessageCatalog.CreateRequest((ApiKey)999));
        Assert.Equal(ErrorCode.InvalidRequest, e.ErrorCode);
        Assert.Throws<KafkaProtocolException>(() => ApiMessageCatalog.GetInfo((ApiKey)4));
    }
}
