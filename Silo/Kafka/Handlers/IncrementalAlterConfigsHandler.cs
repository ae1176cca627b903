using Runnel.Grains;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// IncrementalAlterConfigs: SET (0), DELETE (1), and APPEND (2) and SUBTRACT (3) of list configs, applied by the topic
/// grain to the topic's current values, all of a resource's changes or none. An operation code Kafka does not define
/// refuses the resource with INVALID_REQUEST, as Kafka does; a change Runnel cannot make with INVALID_CONFIG.
/// </summary>
public sealed class IncrementalAlterConfigsHandler : KafkaApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    private readonly TopicService _topics;

    public IncrementalAlterConfigsHandler(TopicService topics) => _topics = topics;

    public override ApiKey Key => ApiKey.IncrementalAlterConfigs;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    protected override async ValueTask<IncrementalAlterConfigsResponse?> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var response = new IncrementalAlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var changes = new List<TopicConfigChange>(resource.Configs.Count);
            string? refused = null;
            foreach (var config in resource.Configs)
            {
                if (config.ConfigOperation is < (sbyte)ConfigOperation.Set or > (sbyte)ConfigOperation.Subtract)
                {
                    refused ??= $"Config operation {config.ConfigOperation} on '{config.Name}' is unknown; Kafka's are SET (0), DELETE (1), APPEND (2) and SUBTRACT (3).";
                    continue;
                }

                changes.Add(new TopicConfigChange(config.Name, config.Value, (ConfigOperation)config.ConfigOperation));
            }

            (ErrorCode error, string? message) = refused is not null
                ? (ErrorCode.InvalidRequest, refused)
                : await ConfigChanges.ApplyAsync(_topics, resource.ResourceType, resource.ResourceName, changes, replaceAll: false, request.ValidateOnly).ConfigureAwait(false);
            response.Responses.Add(new() { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName, ErrorCode = (short)error, ErrorMessage = message });
        }

        return response;
    }

    protected override ErrorCode FirstError(IncrementalAlterConfigsResponse response)
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
