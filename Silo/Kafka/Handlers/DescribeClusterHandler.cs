using Runnel.Grains.Cluster;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// DescribeCluster (KIP-700): the cluster id, the controller and every live broker, as Metadata has them, and the
/// cluster's authorized operations when asked (KIP-430).
/// </summary>
public sealed class DescribeClusterHandler : KafkaApiHandler<DescribeClusterRequest, DescribeClusterResponse>
{
    /// <summary>Endpoint type 1: brokers (2, controllers, is for KRaft controller endpoints, which Runnel has none of).</summary>
    private const sbyte BrokerEndpoints = 1;

    private readonly TopicService _topics;
    private readonly ClusterView _cluster;
    private readonly KafkaBrokers _brokers;

    public DescribeClusterHandler(TopicService topics, ClusterView cluster, KafkaBrokers brokers)
    {
        _topics = topics;
        _cluster = cluster;
        _brokers = brokers;
    }

    public override ApiKey Key => ApiKey.DescribeCluster;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    protected override ValueTask<DescribeClusterResponse?> HandleAsync(RequestContext context, DescribeClusterRequest request, CancellationToken cancellationToken)
    {
        var response = new DescribeClusterResponse
        {
            ClusterId = _topics.ClusterId,
            ControllerId = _cluster.ControllerId(),
            EndpointType = BrokerEndpoints,
            ClusterAuthorizedOperations = AuthorizedOperations.When(request.IncludeClusterAuthorizedOperations, AuthorizedOperations.Cluster),
        };
        if (context.ApiVersion >= 1 && request.EndpointType != BrokerEndpoints)
        {
            response.ErrorCode = (short)ErrorCode.UnsupportedEndpointType;
            response.ErrorMessage = $"Endpoint type {request.EndpointType} is not served; only brokers (1) are.";
            return ValueTask.FromResult<DescribeClusterResponse?>(response);
        }

        foreach (KafkaBroker broker in _brokers.Live())
        {
            response.Brokers.Add(new() { BrokerId = broker.NodeId, Host = broker.Host, Port = broker.Port, Rack = null });
        }

        return ValueTask.FromResult<DescribeClusterResponse?>(response);
    }

    protected override ErrorCode FirstError(DescribeClusterResponse response) => (ErrorCode)response.ErrorCode;
}
