using Runnel.Grains;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers.Transactions;

/// <summary>
/// EndTxn: commit or abort. Answered once every partition of the transaction holds its marker and, on commit, the
/// transaction's offsets are committed to their groups. v5 (an epoch bump per transaction, KIP-890 part 2) is not
/// advertised.
/// </summary>
public sealed class EndTxnHandler : KafkaApiHandler<EndTxnRequest, EndTxnResponse>
{
    private readonly TransactionCoordinatorCalls _coordinators;

    public EndTxnHandler(TransactionCoordinatorCalls coordinators) => _coordinators = coordinators;

    public override ApiKey Key => ApiKey.EndTxn;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<EndTxnResponse?> HandleAsync(RequestContext context, EndTxnRequest request, CancellationToken cancellationToken)
    {
        ITransactionCoordinatorGrain? coordinator = _coordinators.Find(request.TransactionalId, out ErrorCode error);
        if (coordinator is not null)
        {
            error = await TransactionCoordinatorCalls.CallAsync(
                () => coordinator.EndTransactionAsync(request.ProducerId, request.ProducerEpoch, request.Committed), e => e, cancellationToken).ConfigureAwait(false);
        }

        return new EndTxnResponse { ErrorCode = (short)TransactionCoordinatorCalls.ForVersion(error, context.ApiVersion, fencedFrom: 2) };
    }

    protected override ErrorCode FirstError(EndTxnResponse response) => (ErrorCode)response.ErrorCode;
}
