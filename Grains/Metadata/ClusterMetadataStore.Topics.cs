using System.Collections.Immutable;
using Runnel.Grains.Cluster;
using Runnel.Grains.Topics;
using Runnel.Protocol;

namespace Runnel.Grains.Metadata;

/// <summary>The topic changes of the Kafka admin APIs, each checked against the newest metadata and stored with compare-and-swap.</summary>
public sealed partial class ClusterMetadataStore
{
    /// <summary>CreateTopics: validates the name, partition count and configs; with <paramref name="validateOnly"/> nothing is stored.</summary>
    public Task<TopicOperationResult> CreateTopicAsync(string name, int partitionCount, IEnumerable<KeyValuePair<string, string?>>? configs, bool validateOnly, IPartitionAssigner assigner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assigner);
        if (TopicNames.Validate(name) is { } invalidName)
        {
            return Task.FromResult(TopicOperationResult.Failed(ErrorCode.InvalidTopicException, invalidName));
        }

        if (CheckPartitionCount(partitionCount) is { } invalidCount)
        {
            return Task.FromResult(TopicOperationResult.Failed(ErrorCode.InvalidPartitions, invalidCount));
        }

        if (!TopicConfig.TryCreate(configs, out TopicConfig? config, out string? invalidConfig))
        {
            return Task.FromResult(TopicOperationResult.Failed(ErrorCode.InvalidConfig, invalidConfig));
        }

        Guid topicId = Guid.NewGuid();
        return ChangeAsync(
            current =>
            {
                if (current.Topics.ContainsKey(name))
                {
                    return (null, TopicOperationResult.Failed(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists."));
                }

                foreach (string existing in current.Topics.Keys)
                {
                    if (TopicNames.Collide(name, existing))
                    {
                        return (null, TopicOperationResult.Failed(
                            ErrorCode.InvalidTopicException,
                            $"Topic '{name}' collides with existing topic '{existing}': '.' and '_' are the same in metric names."));
                    }
                }

                var topic = new TopicMetadata(name, topicId, partitionCount, config, [.. assigner.Assign(current, name, 0, partitionCount)]);
                return validateOnly
                    ? (null, TopicOperationResult.Ok(topic))
                    : (current with { Topics = current.Topics.Add(name, topic) }, TopicOperationResult.Ok(topic));
            },
            StorageFailed,
            cancellationToken);
    }

    /// <summary>DeleteTopics. The partition data is the caller's to remove; the id is never handed out again.</summary>
    public Task<TopicOperationResult> DeleteTopicAsync(string name, CancellationToken cancellationToken = default) =>
        ChangeAsync(
            current => current.Topics.TryGetValue(name, out TopicMetadata? topic)
                ? (current with { Topics = current.Topics.Remove(name) }, TopicOperationResult.Ok(topic))
                : (null, UnknownTopic(name)),
            StorageFailed,
            cancellationToken);

    /// <summary>CreatePartitions: raises the partition count to <paramref name="totalCount"/> (it can never shrink).</summary>
    public Task<TopicOperationResult> CreatePartitionsAsync(string name, int totalCount, bool validateOnly, IPartitionAssigner assigner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assigner);
        return ChangeAsync(
            current =>
            {
                if (!current.Topics.TryGetValue(name, out TopicMetadata? topic))
                {
                    return (null, UnknownTopic(name));
                }

                if (totalCount <= topic.PartitionCount)
                {
                    return (null, TopicOperationResult.Failed(
                        ErrorCode.InvalidPartitions,
                        $"Topic '{name}' has {topic.PartitionCount} partitions; the new count {totalCount} must be larger."));
                }

                if (CheckPartitionCount(totalCount) is { } invalidCount)
                {
                    return (null, TopicOperationResult.Failed(ErrorCode.InvalidPartitions, invalidCount));
                }

                PartitionAssignment[] added = assigner.Assign(current, name, topic.PartitionCount, totalCount - topic.PartitionCount);
                TopicMetadata grown = topic with { PartitionCount = totalCount, Assignments = topic.Assignments.AddRange(added) };
                return validateOnly
                    ? (null, TopicOperationResult.Ok(grown))
                    : (current with { Topics = current.Topics.SetItem(name, grown) }, TopicOperationResult.Ok(grown));
            },
            StorageFailed,
            cancellationToken);
    }

    /// <summary>IncrementalAlterConfigs: a value sets an override, null removes it. All changes apply or none.</summary>
    public Task<TopicOperationResult> AlterTopicConfigAsync(string name, IEnumerable<KeyValuePair<string, string?>> changes, bool validateOnly, CancellationToken cancellationToken = default) =>
        ChangeConfigAsync(name, validateOnly, topic => topic.Config.TryWith(changes, out TopicConfig? config, out string? error) ? (config, null) : (null, error), cancellationToken);

    /// <summary>
    /// IncrementalAlterConfigs with every operation: APPEND and SUBTRACT apply to the value in the store when the
    /// change is made (re-applied after a lost compare-and-swap), so concurrent list changes never undo each other.
    /// </summary>
    public Task<TopicOperationResult> AlterTopicConfigAsync(string name, IReadOnlyList<TopicConfigChange> changes, bool validateOnly, CancellationToken cancellationToken = default) =>
        ChangeConfigAsync(name, validateOnly, topic => topic.Config.TryApply(changes, out TopicConfig? config, out string? error) ? (config, null) : (null, error), cancellationToken);

    /// <summary>The legacy AlterConfigs: <paramref name="configs"/> replace all overrides of the topic.</summary>
    public Task<TopicOperationResult> ReplaceTopicConfigAsync(string name, IEnumerable<KeyValuePair<string, string?>> configs, bool validateOnly, CancellationToken cancellationToken = default) =>
        ChangeConfigAsync(name, validateOnly, _ => TopicConfig.TryCreate(configs, out TopicConfig? config, out string? error) ? (config, null) : (null, error), cancellationToken);

    private Task<TopicOperationResult> ChangeConfigAsync(string name, bool validateOnly, Func<TopicMetadata, (TopicConfig? Config, string? Error)> change, CancellationToken cancellationToken) =>
        ChangeAsync(
            current =>
            {
                if (!current.Topics.TryGetValue(name, out TopicMetadata? topic))
                {
                    return (null, UnknownTopic(name));
                }

                (TopicConfig? config, string? error) = change(topic);
                if (config is null)
                {
                    return (null, TopicOperationResult.Failed(ErrorCode.InvalidConfig, error ?? "Invalid topic config."));
                }

                TopicMetadata changed = topic with { Config = config };
                return validateOnly
                    ? (null, TopicOperationResult.Ok(changed))
                    : (current with { Topics = current.Topics.SetItem(name, changed) }, TopicOperationResult.Ok(changed));
            },
            StorageFailed,
            cancellationToken);

    private static string? CheckPartitionCount(int count) =>
        count is >= 1 and <= MaxPartitionCount ? null : $"Number of partitions must be between 1 and {MaxPartitionCount}; got {count}.";

    private static TopicOperationResult UnknownTopic(string name) =>
        TopicOperationResult.Failed(ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
}
