using Runnel.Grains;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Kafka.Handlers.Transactions;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// InitProducerId. For idempotent producers: a producer id never handed out before (ids are allocated in persisted
/// blocks), epoch 0; a producer that asks to bump its epoch (KIP-360, v3+) keeps its id with the next epoch. With a
/// transactional id the id's coordinator answers: the same producer id every time, the next epoch, and any
/// transaction the previous epoch left open aborted.
/// </summary>
public sealed class InitProducerIdHandler : KafkaApiHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    private readonly TopicService _topics;
    private readonly TransactionCoordinatorCalls _coordinators;

    public InitProducerIdHandler(TopicService topics, TransactionCoordinatorCalls coordinators)
    {
        _topics = topics;
        _coordinators = coordinators;
    }

    public override ApiKey Key => ApiKey.InitProducerId;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request, CancellationToken cancellationToken)
    {
        var response = new InitProducerIdResponse { ProducerId = -1, ProducerEpoch = -1 };
        if (!string.IsNullOrEmpty(request.TransactionalId))
        {
            ITransactionCoordinatorGrain? coordinator = _coordinators.Find(request.TransactionalId, out ErrorCode error);
            TxnInitOutcome outcome = coordinator is null
                ? new TxnInitOutcome(error, -1, -1)
                : await TransactionCoordinatorCalls.CallAsync(
                    () => coordinator.InitProducerAsync(request.TransactionTimeoutMs, request.ProducerId, request.ProducerEpoch),
                    e => new TxnInitOutcome(e, -1, -1),
                    cancellationToken).ConfigureAwait(false);
            response.ErrorCode = (short)TransactionCoordinatorCalls.ForVersion(outcome.Error, context.ApiVersion, fencedFrom: 3);
            response.ProducerId = outcome.ProducerId;
            response.ProducerEpoch = outcome.ProducerEpoch;
            return response;
        }

        if (request.ProducerId >= 0 && request.ProducerEpoch >= 0 && request.ProducerEpoch < short.MaxValue - 1)
        {
            response.ProducerId = request.ProducerId;
            response.ProducerEpoch = (short)(request.ProducerEpoch + 1);
        }
        else
        {
            try
            {
                response.ProducerId = await _topics.AllocateProducerIdAsync(cancellationToken).ConfigureAwait(false);
                response.ProducerEpoch = 0;
            }
            catch (IOException)
            {
                // The metadata store could not reserve ids right now; clients retry this error.
                response.ErrorCode = (short)ErrorCode.CoordinatorNotAvailable;
            }
        }

        return response;
    }

    protected override ErrorCode FirstError(InitProducerIdResponse response) => (ErrorCode)response.ErrorCode;
}
