using Orleans.Placement;
using Orleans.Runtime;

namespace Runnel.Grains.Cluster;

/// <summary>
/// Places a partition grain on the silo of the node the metadata names its leader, and a group grain on its
/// coordinator's silo, so the partition's files and the group's offsets are local to the grain that uses them.
/// </summary>
[GenerateSerializer]
[Immutable]
[SuppressReferenceTracking]
[Alias("runnel.leader-placement")]
public sealed class LeaderPlacement : PlacementStrategy
{
    public static LeaderPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class for <see cref="LeaderPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class LeaderPlacementAttribute : PlacementAttribute
{
    public LeaderPlacementAttribute()
        : base(LeaderPlacement.Instance)
    {
    }
}
