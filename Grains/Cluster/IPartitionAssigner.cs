using Runnel.Grains.Metadata;

namespace Runnel.Grains.Cluster;

/// <summary>Chooses the leaders of new partitions (a new topic's, or those CreatePartitions adds).</summary>
public interface IPartitionAssigner
{
    /// <summary>Assignments for partitions <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 of <paramref name="topic"/>.</summary>
    PartitionAssignment[] Assign(MetadataSnapshot metadata, string topic, int first, int count);
}

/// <summary>One silo leads everything: new partitions stay unassigned, which a lone silo reads as its own.</summary>
public sealed class LocalPartitionAssigner : IPartitionAssigner
{
    public PartitionAssignment[] Assign(MetadataSnapshot metadata, string topic, int first, int count) =>
        [.. Enumerable.Repeat(PartitionAssignment.Unassigned, count)];
}

/// <summary>The leaders a CreateTopics request named, partition by partition (epoch 0).</summary>
public sealed class FixedPartitionAssigner(IReadOnlyList<int> leaders) : IPartitionAssigner
{
    public PartitionAssignment[] Assign(MetadataSnapshot metadata, string topic, int first, int count) =>
        [.. Enumerable.Range(first, count).Select(p => p < leaders.Count ? new PartitionAssignment(leaders[p], 0) : PartitionAssignment.Unassigned)];
}
