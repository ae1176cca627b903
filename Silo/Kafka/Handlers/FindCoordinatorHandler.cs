using Runnel.Grains.Cluster;
using Runnel.Grains.Groups;
using Runnel.Grains.Transactions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// FindCoordinator: a group's coordinator is the leader of the offsets partition its offsets go to (one silo
/// coordinates every group on its own); COORDINATOR_NOT_AVAILABLE while that partition has no live leader. v4
/// batches keys. A transactional id's coordinator (type 1) is, the same way, the leader of the `__transaction_state`
/// partition the id hashes to.
/// </summary>
public sealed class FindCoordinatorHandler : KafkaApiHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private const sbyte GroupKey = 0;
    private const sbyte TransactionKey = 1;

    private readonly ClusterView _cluster;
    private readonly KafkaBrokers _brokers;
    private readonly OffsetStore _offsets;
    private readonly TransactionStore _transactions;

    public FindCoordinatorHandler(ClusterView cluster, KafkaBrokers brokers, OffsetStore offsets, TransactionStore transactions)
    {
        _cluster = cluster;
        _brokers = brokers;
        _offsets = offsets;
        _transactions = transactions;
    }

    public override ApiKey Key => ApiKey.FindCoordinator;

    // v0 must stay in the range: librdkafka 2.0.2 enables consumer groups only if it is.
    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request, CancellationToken cancellationToken)
    {
        var response = new FindCoordinatorResponse();
        sbyte keyType = context.ApiVersion >= 1 ? request.KeyType : GroupKey;
        if (_cluster.IsClustered && keyType == GroupKey)
        {
            await _offsets.EnsureTopicAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (keyType == TransactionKey)
        {
            // Created with the first transactional producer (as Kafka does), so the coordinator can be named.
            await _transactions.EnsureTopicAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (context.ApiVersion >= 4)
        {
            foreach (string key in request.CoordinatorKeys)
            {
                (ErrorCode error, string? message, KafkaBroker coordinator) = Find(request.KeyType, key);
                bool found = error == ErrorCode.None;
                response.Coordinators.Add(new()
                {
                    Key = key,
                    NodeId = found ? coordinator.NodeId : -1,
                    Host = found ? coordinator.Host : string.Empty,
                    Port = found ? coordinator.Port : -1,
                    ErrorCode = (short)error,
                    ErrorMessage = message,
                });
            }
        }
        else
        {
            (ErrorCode error, string? message, KafkaBroker coordinator) = Find(context.ApiVersion >= 1 ? request.KeyType : GroupKey, request.Key);
            bool found = error == ErrorCode.None;
            response.ErrorCode = (short)error;
            response.ErrorMessage = message;
            response.NodeId = found ? coordinator.NodeId : -1;
            response.Host = found ? coordinator.Host : string.Empty;
            response.Port = found ? coordinator.Port : -1;
        }

        return response;
    }

    private (ErrorCode Error, string? Message, KafkaBroker Coordinator) Find(sbyte keyType, string key)
    {
        switch (keyType)
        {
            case GroupKey:
                int node = _cluster.CoordinatorOf(key);
                return node >= 0 && _brokers.TryGet(node, out KafkaBroker broker)
                    ? (ErrorCode.None, null, broker)
                    : (ErrorCode.CoordinatorNotAvailable, $"The coordinator of group '{key}' is moving to another silo.", default);
            case TransactionKey:
                int coordinatorNode = _cluster.TransactionCoordinatorOf(key);
                return coordinatorNode >= 0 && _brokers.TryGet(coordinatorNode, out KafkaBroker coordinatorBroker)
                    ? (ErrorCode.None, null, coordinatorBroker)
                    : (ErrorCode.CoordinatorNotAvailable, $"The coordinator of transactional id '{key}' is moving to another silo.", default);
            default:
                return (ErrorCode.InvalidRequest, $"Unknown coordinator key type {keyType}.", default);
        }
    }

    protected override ErrorCode FirstError(FindCoordinatorResponse response)
        => response.Coordinators.Count > 0 ? (ErrorCode)response.Coordinators[0].ErrorCode : (ErrorCode)response.ErrorCode;
}
