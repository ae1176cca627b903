namespace Runnel.Client.Consumer.Groups;

/// <summary>How a rebalance hands partitions over.</summary>
public enum RebalanceProtocol
{
    /// <summary>Every member gives up all partitions before the group rejoins (stop-the-world).</summary>
    Eager,

    /// <summary>Members keep what they keep; only moving partitions are given up, in a second round (KIP-429).</summary>
    Cooperative,
}

/// <summary>A member's subscription as the group leader sees it.</summary>
public sealed record MemberSubscription(string MemberId, IReadOnlyList<string> Topics, IReadOnlyList<TopicPartition> OwnedPartitions);

/// <summary>Computes the group's assignment on the leader. Names are the standard ones, so mixed clients agree.</summary>
public interface IPartitionAssignor
{
    /// <summary>The protocol name in JoinGroup, e.g. <c>range</c> or <c>cooperative-sticky</c>.</summary>
    string Name { get; }

    RebalanceProtocol Protocol { get; }

    /// <summary>Partitions per member id. <paramref name="partitionCounts"/> holds every subscribed topic that exists.</summary>
    IReadOnlyDictionary<string, List<TopicPartition>> Assign(IReadOnlyList<MemberSubscription> members, IReadOnlyDictionary<string, int> partitionCounts);
}

/// <summary>What the membership needs from the consumer.</summary>
internal interface IGroupCallbacks
{
    IReadOnlyCollection<TopicPartition> Owned();

    Task RevokeAsync(IReadOnlyList<TopicPartition> partitions, bool commit, CancellationToken cancellationToken);

    void Assign(IReadOnlyList<TopicPartition> partitions);

    Task CommitPositionsAsync(CancellationToken cancellationToken);
}
