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

    protected override ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request, CancellationToken cancellationToken)
    {
        var response = new InitProducerIdResponse { ProducerId = -1, ProducerEpoch = -1 };
        if (request.TransactionalId is not null)
        {
            response.ErrorCode = (short)ErrorCode.TransactionalIdAuthorizationFailed;
            return ValueTask.FromResult<InitProducerIdResponse?>(response);
        }

        if (request.ProducerId >= 0 && request.ProducerEpoch >= 0 && request.ProducerEpoch < short.MaxValue - 1)
        {
            response.ProducerId = request.ProducerId;
            response.ProducerEpoch = (short)(request.ProducerEpoch + 1);
        }
        else
        {
            response.ProducerId = _topics.AllocateProducerId();
            response.ProducerEpoch = 0;
        }

        return ValueTask.FromResult<InitProducerIdResponse?>(response);
    }

    protected override ErrorCode FirstError(InitProducerIdResponse response) => (ErrorCode)response.ErrorCode;
}
