using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// InitProducerId for idempotent producers: a producer id never handed out before (ids are allocated in persisted
/// blocks), epoch 0. A producer that asks to bump its epoch (KIP-360, v3+) keeps its id with the next epoch.
/// Transactional ids are refused: transactions are not built yet.
/// </summary>
public sealed class InitProducerIdHandler : KafkaApiHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    private readonly TopicService _topics;

    public InitProducerIdHandler(TopicService topics) => _topics = topics;

    public override ApiKey Key => ApiKey.InitProducerId;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request, CancellationToken cancellationToken)
    {
        var response = new InitProducerIdResponse { ProducerId = -1, ProducerEpoch = -1 };
        if (request.TransactionalId is not null)
        {
            response.ErrorCode = (short)ErrorCode.TransactionalIdAuthorizationFailed;
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
