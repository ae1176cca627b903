using Runnel.Runtime;

namespace Runnel.Grains;

/// <summary>
/// A topic, keyed by its name. Changes to one topic (create, delete, partitions, configs) are turns of its grain,
/// so they never interleave; different topics change in parallel.
/// </summary>
public interface ITopicGrain : IGrainWithStringKey
{
    Task<TopicChange> CreateAsync(int partitionCount, IReadOnlyDictionary<string, string?>? configs, bool validateOnly);

    Task<TopicChange> DeleteAsync();

    Task<TopicChange> CreatePartitionsAsync(int totalCount, bool validateOnly);

    /// <summary>Sets (value non-null) or removes (null) overrides; with <paramref name="replaceAll"/> the given set replaces every override.</summary>
    Task<TopicChange> AlterConfigsAsync(IReadOnlyList<KeyValuePair<string, string?>> changes, bool replaceAll, bool validateOnly);
}

/// <summary>The outcome of a topic change: an error code (0 = none) and a message for the client.</summary>
public readonly record struct TopicChange(Runnel.Protocol.ErrorCode Error, string? Message);
