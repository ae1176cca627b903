using Orleans.Concurrency;

namespace Runnel.Grains;

/// <summary>
/// A topic, keyed by its name. Changes to one topic (create, delete, partitions, configs) are turns of its grain,
/// so they never interleave; different topics change in parallel.
/// </summary>
[Alias("runnel.topic")]
public interface ITopicGrain : IGrainWithStringKey
{
    /// <summary>Creates the topic; <paramref name="leaders"/> names each partition's leader node, null lets the cluster spread them.</summary>
    [Alias("create")]
    Task<TopicChange> CreateAsync(int partitionCount, IReadOnlyDictionary<string, string?>? configs, bool validateOnly, IReadOnlyList<int>? leaders);

    [Alias("delete")]
    Task<TopicChange> DeleteAsync();

    [Alias("create-partitions")]
    Task<TopicChange> CreatePartitionsAsync(int totalCount, bool validateOnly);

    /// <summary>
    /// Applies <paramref name="changes"/> to the overrides, all or none; with <paramref name="replaceAll"/> (the legacy
    /// AlterConfigs, SET only) the given set replaces every override.
    /// </summary>
    [Alias("alter-configs")]
    Task<TopicChange> AlterConfigsAsync(IReadOnlyList<TopicConfigChange> changes, bool replaceAll, bool validateOnly);
}

/// <summary>The outcome of a topic change: an error code (0 = none) and a message for the client.</summary>
[GenerateSerializer]
[Immutable]
[Alias("runnel.topic-change")]
public readonly record struct TopicChange(Runnel.Protocol.ErrorCode Error, string? Message);
