namespace Runnel.Grains.Cluster;

/// <summary>
/// Who leads a partition: a node (broker) id, and the leader epoch that grows every time the partition moves, so a
/// silo that led it before can tell it no longer does. <see cref="Unassigned"/> leaves the choice to the controller.
/// </summary>
public readonly record struct PartitionAssignment(int Leader, int Epoch)
{
    public static readonly PartitionAssignment Unassigned = new(-1, 0);

    public bool IsAssigned => Leader >= 0;
}
