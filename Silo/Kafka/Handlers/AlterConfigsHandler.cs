using Runnel.Grains;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>AlterConfigs (the legacy, non-incremental form): the given configs replace all of a topic's overrides.</summary>
public sealed class AlterConfigsHandler : KafkaApiHandler<AlterConfigsRequest, AlterConfigsResponse>
{
    private readonly TopicService _topics;

    public AlterConfigsHandler(TopicService topics) => _topics = topics;

    public override ApiKey Key => ApiKey.AlterConfigs;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    protected override async ValueTask<AlterConfigsResponse?> HandleAsync(RequestContext context, AlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var response = new AlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var changes = new List<TopicConfigChange>(resource.Configs.Count);
            foreach (var config in resource.Configs)
            {
                changes.Add(TopicConfigChange.Set(config.Name, config.Value));
            }

            (ErrorCode error, string? message) = await ConfigChanges.ApplyAsync(_topics, resource.ResourceType, resource.ResourceName, changes, replaceAll: true, request.ValidateOnly).ConfigureAwait(false);
            response.Responses.Add(new() { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName, ErrorCode = (short)error, ErrorMessage = message });
        }

        return response;
    }

    protected override ErrorCode FirstError(AlterConfigsResponse response)
    {
        foreach (var result in response.Responses)
        {
            if (result.ErrorCode != 0)
            {
                return (ErrorCode)result.ErrorCode;
            }
        }

        return ErrorCode.None;
    }
}
