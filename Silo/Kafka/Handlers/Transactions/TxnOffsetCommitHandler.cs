using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Transactions;

/// <summary>
/// TxnOffsetCommit (sendOffsetsToTransaction), sent to the group's coordinator: the offsets are held with the
/// transaction by its coordinator (and written to `__transaction_state` with it) and reach the group only when the
/// transaction commits; an abort drops them. A v3+ request that names its member (KIP-447) is checked against the
/// group's generation first, as OffsetCommit is.
/// </summary>
public sealed class TxnOffsetCommitHandler : KafkaApiHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>
{
    private readonly TransactionCoordinatorCalls _coordinators;
    private readonly ClusterView _cluster;
    private readonly IGrainFactory _grains;

    public TxnOffsetCommitHandler(TransactionCoordinatorCalls coordinators, ClusterView cluster, IGrainFactory grains)
    {
        _coordinators = coordinators;
        _cluster = cluster;
        _grains = grains;
    }

    public override ApiKey Key => ApiKey.TxnOffsetCommit;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<TxnOffsetCommitResponse?> HandleAsync(RequestContext context, TxnOffsetCommitRequest request, CancellationToken cancellationToken)
    {
        var offsets = new List<OffsetCommitEntry>();
        foreach (var topic in request.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                offsets.Add(new OffsetCommitEntry(topic.Name, partition.PartitionIndex, partition.CommittedOffset, partition.CommittedLeaderEpoch, partition.CommittedMetadata));
            }
        }

        ErrorCode error;
        if (request.GroupId.Length == 0)
        {
            error = ErrorCode.InvalidGroupId;
        }
        else if (!_cluster.CoordinatesLocally(request.GroupId))
        {
            error = ErrorCode.NotCoordinator;
        }
        else if (string.IsNullOrEmpty(request.TransactionalId))
        {
            error = ErrorCode.InvalidRequest;
        }
        else if (await _grains.GetGrain<IGroupGrain>(request.GroupId).CheckTransactionalCommitAsync(request.GenerationId, request.MemberId, request.GroupInstanceId).WaitAsync(cancellationToken).ConfigureAwait(false) is var member
            && member != ErrorCode.None)
        {
            error = member; // ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, REBALANCE_IN_PROGRESS
        }
        else
        {
            // The transaction's coordinator may be on another silo: the grain call reaches it there.
            ITransactionCoordinatorGrain coordinator = _coordinators.Any(request.TransactionalId);
            error = await TransactionCoordinatorCalls.CallAsync(
                () => coordinator.StageOffsetsAsync(request.ProducerId, request.ProducerEpoch, request.GroupId, offsets), e => e, cancellationToken).ConfigureAwait(false);
        }

        error = TransactionCoordinatorCalls.ForVersion(error, context.ApiVersion, fencedFrom: 3);
        var response = new TxnOffsetCommitResponse();
        foreach (var topic in request.Topics)
        {
            var result = new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic { Name = topic.Name };
            response.Topics.Add(result);
            foreach (var partition in topic.Partitions)
            {
                result.Partitions.Add(new() { PartitionIndex = partition.PartitionIndex, ErrorCode = (short)error });
            }
        }

        return response;
    }

    protected override ErrorCode FirstError(TxnOffsetCommitResponse response)
    {
        foreach (var topic in response.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                if (partition.ErrorCode != 0)
                {
                    return (ErrorCode)partition.ErrorCode;
                }
            }
        }

        return ErrorCode.None;
    }
}
