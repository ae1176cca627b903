using Runnel.Grains;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;

namespace Runnel.Silo.Kafka.Handlers;

/// <summary>What AlterConfigs and IncrementalAlterConfigs share: resource checks, then the topic grain applies the change.</summary>
internal static class ConfigChanges
{
    public static async Task<(ErrorCode Error, string? Message)> ApplyAsync(
        TopicService topics, sbyte resourceType, string resourceName, IReadOnlyList<TopicConfigChange> changes, bool replaceAll, bool validateOnly)
    {
        if (resourceType == ConfigResourceType.Broker)
        {
            return (ErrorCode.InvalidRequest, "Broker configs cannot be changed at run time; use the silo's command-line options.");
        }

        if (resourceType != ConfigResourceType.Topic)
        {
            return (ErrorCode.InvalidRequest, $"Config resource type {resourceType} is not supported; Runnel alters topic (2) configs.");
        }

        if (await topics.FindTopicAsync(resourceName, CancellationToken.None).ConfigureAwait(false) is null)
        {
            return (ErrorCode.UnknownTopicOrPartition, $"Topic '{resourceName}' does not exist.");
        }

        TopicOperationResult result = await topics.AlterConfigsAsync(resourceName, changes, replaceAll, validateOnly).ConfigureAwait(false);
        return (result.Error, result.Message);
    }
}
