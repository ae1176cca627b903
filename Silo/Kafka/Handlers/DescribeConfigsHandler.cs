using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>
/// DescribeConfigs for topics: every Kafka topic config with its value, its source (the topic's override or the
/// default), read-only (those Runnel only takes at their default), its type, documentation and synonyms. Broker resources answer with no entries (nothing is configurable at run time).
/// </summary>
public sealed class DescribeConfigsHandler : KafkaApiHandler<DescribeConfigsRequest, DescribeConfigsResponse>
{
    private readonly TopicService _topics;

    public DescribeConfigsHandler(TopicService topics) => _topics = topics;

    public override ApiKey Key => ApiKey.DescribeConfigs;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<DescribeConfigsResponse?> HandleAsync(RequestContext context, DescribeConfigsRequest request, CancellationToken cancellationToken)
    {
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Results.Add(result);
            if (resource.ResourceType == ConfigResourceType.Broker)
            {
                continue;
            }

            if (resource.ResourceType != ConfigResourceType.Topic)
            {
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = $"Config resource type {resource.ResourceType} is not supported; Runnel describes topic (2) and broker (4) configs.";
                continue;
            }

            if (await _topics.FindTopicAsync(resource.ResourceName, cancellationToken).ConfigureAwait(false) is not { } topic)
            {
                result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                result.ErrorMessage = $"Topic '{resource.ResourceName}' does not exist.";
                continue;
            }

            foreach (TopicConfigEntry entry in topic.Config.Describe())
            {
                if (resource.ConfigurationKeys is { } keys && !keys.Contains(entry.Name))
                {
                    continue;
                }

                var described = new DescribeConfigsResponse.DescribeConfigsResult.DescribeConfigsResourceResult
                {
                    Name = entry.Name,
                    Value = entry.Value,
                    ReadOnly = entry.Definition.IsReadOnly,
                    IsDefault = entry.IsDefault,
                    ConfigSource = entry.IsDefault ? ConfigResourceType.SourceDefault : ConfigResourceType.SourceTopicConfig,
                    IsSensitive = false,
                    ConfigType = (sbyte)entry.Definition.Type,
                    Documentation = request.IncludeDocumentation ? entry.Definition.Documentation : null,
                };
                if (request.IncludeSynonyms)
                {
                    AddSynonyms(described, entry);
                }

                result.Configs.Add(described);
            }
        }

        return response;
    }

    /// <summary>
    /// Synonyms in order of precedence, as Kafka lists them: the topic's override (if any), then the default it
    /// falls back to, so tools that copy only overrides can tell the two apart.
    /// </summary>
    private static void AddSynonyms(DescribeConfigsResponse.DescribeConfigsResult.DescribeConfigsResourceResult described, TopicConfigEntry entry)
    {
        if (!entry.IsDefault)
        {
            described.Synonyms.Add(new() { Name = entry.Name, Value = entry.Value, Source = ConfigResourceType.SourceTopicConfig });
        }

        described.Synonyms.Add(new() { Name = entry.Name, Value = entry.Definition.DefaultValue, Source = ConfigResourceType.SourceDefault });
    }

    protected override ErrorCode FirstError(DescribeConfigsResponse response)
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
