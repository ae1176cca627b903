using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Runnel.Grains.Cluster;

namespace Runnel.Grains.Metadata;

/// <summary>
/// One consistent version of the cluster metadata: topics with their partition assignments, the registered brokers,
/// the producer id high-water mark. Immutable; readers on any thread use the one they got.
/// </summary>
public sealed record MetadataSnapshot(
    string ClusterId,
    ImmutableSortedDictionary<string, TopicMetadata> Topics,
    ImmutableSortedDictionary<int, BrokerRegistration> Brokers,
    long ProducerIdBlockEnd,
    string? Version)
{
    public static MetadataSnapshot Empty(string clusterId) => new(
        clusterId,
        ImmutableSortedDictionary<string, TopicMetadata>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableSortedDictionary<int, BrokerRegistration>.Empty,
        0,
        null);

    public bool TryGetTopic(string name, [NotNullWhen(true)] out TopicMetadata? topic) => Topics.TryGetValue(name, out topic);

    public bool TryGetTopic(Guid topicId, [NotNullWhen(true)] out TopicMetadata? topic)
    {
        foreach (TopicMetadata candidate in Topics.Values)
        {
            if (candidate.TopicId == topicId)
            {
                topic = candidate;
                return true;
            }
        }

        topic = null;
        return false;
    }
}
