using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>CreatePartitions: grows a topic to a new total partition count; it can never shrink.</summary>
public sealed class CreatePartitionsHandler : KafkaApiHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    private readonly TopicService _topics;

    public CreatePartitionsHandler(TopicService topics) => _topics = topics;

    public override ApiKey Key => ApiKey.CreatePartitions;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    protected override async ValueTask<CreatePartitionsResponse?> HandleAsync(RequestContext context, CreatePartitionsRequest request, CancellationToken cancellationToken)
    {
        var response = new CreatePartitionsResponse();
        foreach (var topic in request.Topics)
        {
            TopicOperationResult result = await _topics.CreatePartitionsAsync(topic.Name, topic.Count, request.ValidateOnly).ConfigureAwait(false);
            response.Results.Add(new() { Name = topic.Name, ErrorCode = (short)result.Error, ErrorMessage = result.Message });
        }

        return response;
    }

    protected override ErrorCode FirstError(CreatePartitionsResponse response)
    {
        foreach (var result in response.Results)
        {
            if (result.ErrorCode != 0)
            {
                return (ErrorCode)result.ErrorCode;
            }
        }

        return ErrorCode.None;
    }
}
