using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>DeleteTopics, by name (v0-v5) or by name or topic id (v6+).</summary>
public sealed class DeleteTopicsHandler : KafkaApiHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    private readonly TopicService _topics;

    public DeleteTopicsHandler(TopicService topics) => _topics = topics;

    public override ApiKey Key => ApiKey.DeleteTopics;

    public override short MinVersion => 0;

    public override short MaxVersion => 6;

    protected override async ValueTask<DeleteTopicsResponse?> HandleAsync(RequestContext context, DeleteTopicsRequest request, CancellationToken cancellationToken)
    {
        var response = new DeleteTopicsResponse();
        if (context.ApiVersion < 6)
        {
            foreach (string name in request.TopicNames)
            {
                TopicOperationResult deleted = await _topics.DeleteTopicAsync(name).ConfigureAwait(false);
                response.Responses.Add(new() { Name = name, ErrorCode = (short)deleted.Error, ErrorMessage = deleted.Message });
            }

            return response;
        }

        foreach (var state in request.Topics)
        {
            string? name = state.Name;
            if (name is null && await _topics.FindTopicAsync(state.TopicId, cancellationToken).ConfigureAwait(false) is { } byId)
            {
                name = byId.Name;
            }

            if (name is null)
            {
                response.Responses.Add(new() { Name = null, TopicId = state.TopicId, ErrorCode = (short)ErrorCode.UnknownTopicId });
                continue;
            }

            TopicMetadata? topic = await _topics.FindTopicAsync(name, cancellationToken).ConfigureAwait(false);
            TopicOperationResult deleted = await _topics.DeleteTopicAsync(name).ConfigureAwait(false);
            response.Responses.Add(new() { Name = name, TopicId = topic?.TopicId ?? state.TopicId, ErrorCode = (short)deleted.Error, ErrorMessage = deleted.Message });
        }

        return response;
    }

    protected override ErrorCode FirstError(DeleteTopicsResponse response)
    {
        foreach (var topic in response.Responses)
        {
            if (topic.ErrorCode != 0)
            {
                return (ErrorCode)topic.ErrorCode;
            }
        }

        return ErrorCode.None;
    }
}
