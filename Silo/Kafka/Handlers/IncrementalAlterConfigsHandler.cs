using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// IncrementalAlterConfigs: SET (0) and DELETE (1) of single topic configs. APPEND and SUBTRACT (2, 3) apply to list
/// configs only, and the one list config, cleanup.policy, accepts a single value here, so they are refused clearly.
/// </summary>
public sealed class IncrementalAlterConfigsHandler : KafkaApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    private const sbyte Set = 0;
    private const sbyte Delete = 1;

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
            var changes = new List<KeyValuePair<string, string?>>(resource.Configs.Count);
            string? refused = null;
            foreach (var config in resource.Configs)
            {
                switch (config.ConfigOperation)
                {
                    case Set when config.Value is null:
                        refused = $"SET of '{config.Name}' needs a value.";
                        break;
                    case Set:
                        changes.Add(new(config.Name, config.Value));
                        break;
                    case Delete:
                        changes.Add(new(config.Name, null));
                        break;
                    default:
                        refused = $"Config operation {config.ConfigOperation} on '{config.Name}' is not supported; use SET (0) or DELETE (1).";
                        break;
                }
            }

            (ErrorCode error, string? message) = refused is not null
                ? (ErrorCode.InvalidConfig, refused)
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
