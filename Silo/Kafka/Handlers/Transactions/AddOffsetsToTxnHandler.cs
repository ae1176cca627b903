using Runnel.Grains;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Transactions;

/// <summary>AddOffsetsToTxn: the group's offsets (sent next with TxnOffsetCommit) join the transaction.</summary>
public sealed class AddOffsetsToTxnHandler : KafkaApiHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>
{
    private readonly TransactionCoordinatorCalls _coordinators;

    public AddOffsetsToTxnHandler(TransactionCoordinatorCalls coordinators) => _coordinators = coordinators;

    public override ApiKey Key => ApiKey.AddOffsetsToTxn;

    public override short MinVersion => 0;

    // v4 only adds TRANSACTION_ABORTABLE (KIP-890), which this coordinator never answers.
    public override short MaxVersion => 4;

    protected override async ValueTask<AddOffsetsToTxnResponse?> HandleAsync(RequestContext context, AddOffsetsToTxnRequest request, CancellationToken cancellationToken)
    {
        ITransactionCoordinatorGrain? coordinator = _coordinators.Find(request.TransactionalId, out ErrorCode error);
        if (coordinator is not null)
        {
            error = await TransactionCoordinatorCalls.CallAsync(
                () => coordinator.AddOffsetsAsync(request.ProducerId, request.ProducerEpoch, request.GroupId), e => e, cancellationToken).ConfigureAwait(false);
        }

        return new AddOffsetsToTxnResponse { ErrorCode = (short)TransactionCoordinatorCalls.ForVersion(error, context.ApiVersion, fencedFrom: 2) };
    }

    protected override ErrorCode FirstError(AddOffsetsToTxnResponse response) => (ErrorCode)response.ErrorCode;
}
