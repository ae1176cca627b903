namespace Runnel.Grains.Cluster;

/// <summary>Stable grain type names: they address grains across silos and releases, so they never change.</summary>
public static class GrainTypes
{
    public const string Partition = "runnel.partition";
    public const string Topic = "runnel.topic";
    public const string Group = "runnel.group";
    public const string Controller = "runnel.controller";
    public const string TransactionCoordinator = "runnel.txn-coordinator";
}
