using System.Collections.Immutable;
using Runnel.Grains.Cluster;
using Runnel.Grains.Topics;

namespace Runnel.Grains.Metadata;

/// <summary>
/// A topic as the cluster knows it. <paramref name="TopicId"/> is stable for the topic's life and never reused,
/// so a re-created topic of the same name is a different topic to clients that track ids (KIP-516).
/// <paramref name="Assignments"/> holds one entry per partition.
/// </summary>
public sealed record TopicMetadata(string Name, Guid TopicId, int PartitionCount, TopicConfig Config, ImmutableArray<PartitionAssignment> Assignments)
{
    public TopicMetadata(string name, Guid topicId, int partitionCount, TopicConfig config)
        : this(name, topicId, partitionCount, config, [.. Enumerable.Repeat(PartitionAssignment.Unassigned, partitionCount)])
    {
    }

    public PartitionAssignment Assignment(int partition) =>
        partition >= 0 && partition < Assignments.Length ? Assignments[partition] : PartitionAssignment.Unassigned;
}
