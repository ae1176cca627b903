namespace Runnel.Grains.Groups;

/// <summary>The classic group states, named as Kafka names them in DescribeGroups and ListGroups.</summary>
public enum GroupState
{
    /// <summary>No members; the group lives on for its committed offsets.</summary>
    Empty,

    /// <summary>A rebalance started: members are asked (via heartbeat errors) to rejoin; JoinGroup answers are held.</summary>
    PreparingRebalance,

    /// <summary>Everyone rejoined; the leader computes the assignment, SyncGroup answers are held until it sends it.</summary>
    CompletingRebalance,

    /// <summary>Every member has its assignment for the current generation.</summary>
    Stable,

    /// <summary>No such group (DescribeGroups of an unknown id).</summary>
    Dead,
}

public static class GroupStateNames
{
    public static string Name(this GroupState state) => state switch
    {
        GroupState.Empty => "Empty",
        GroupState.PreparingRebalance => "PreparingRebalance",
        GroupState.CompletingRebalance => "CompletingRebalance",
        GroupState.Stable => "Stable",
        _ => "Dead",
    };
}
