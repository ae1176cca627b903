using Runnel.Grains;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Transactions;

/// <summary>
/// AddPartitionsToTxn v0-3, what clients send (v4+ batches transactions for brokers' own verification, KIP-890, and
/// is not advertised). Every partition gets an error: all added, or none (OPERATION_NOT_ATTEMPTED beside the ones
/// that failed).
/// </summary>
public sealed class AddPartitionsToTxnHandler : KafkaApiHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>
{
    private readonly TransactionCoordinatorCalls _coordinators;

    public AddPartitionsToTxnHandler(TransactionCoordinatorCalls coordinators) => _coordinators = coordinators;

    public override ApiKey Key => ApiKey.AddPartitionsToTxn;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    protected override async ValueTask<AddPartitionsToTxnResponse?> HandleAsync(RequestContext context, AddPartitionsToTxnRequest request, CancellationToken cancellationToken)
    {
        var partitions = new List<TxnPartition>();
        foreach (var topic in request.V3AndBelowTopics)
        {
            foreach (int partition in topic.Partitions)
            {
                partitions.Add(new TxnPartition(topic.Name, partition));
            }
        }

        IReadOnlyList<ErrorCode> errors;
        ITransactionCoordinatorGrain? coordinator = _coordinators.Find(request.V3AndBelowTransactionalId, out ErrorCode error);
        if (coordinator is null || partitions.Count == 0)
        {
            errors = Enumerable.Repeat(coordinator is null ? error : ErrorCode.InvalidRequest, partitions.Count).ToList();
        }
        else
        {
            errors = await TransactionCoordinatorCalls.CallAsync(
                () => coordinator.AddPartitionsAsync(request.V3AndBelowProducerId, request.V3AndBelowProducerEpoch, partitions),
                e => Enumerable.Repeat(e, partitions.Count).ToList(),
                cancellationToken).ConfigureAwait(false);
        }

        var response = new AddPartitionsToTxnResponse();
        int i = 0;
        foreach (var topic in request.V3AndBelowTopics)
        {
            var result = new AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult { Name = topic.Name };
            response.ResultsByTopicV3AndBelow.Add(result);
            foreach (int partition in topic.Partitions)
            {
                ErrorCode code = TransactionCoordinatorCalls.ForVersion(errors[i++], context.ApiVersion, fencedFrom: 2);
                result.ResultsByPartition.Add(new() { PartitionIndex = partition, PartitionErrorCode = (short)code });
            }
        }

        return response;
    }

    protected override ErrorCode FirstError(AddPartitionsToTxnResponse response)
    {
        foreach (var topic in response.ResultsByTopicV3AndBelow)
        {
            foreach (var partition in topic.ResultsByPartition)
            {
                if (partition.PartitionErrorCode != 0)
                {
                    return (ErrorCode)partition.PartitionErrorCode;
                }
            }
        }

        return ErrorCode.None;
    }
}
