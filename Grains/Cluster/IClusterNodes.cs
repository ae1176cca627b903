namespace Runnel.Grains.Cluster;

/// <summary>Which nodes (brokers) are alive: the silo's view of cluster membership.</summary>
public interface IClusterNodes
{
    /// <summary>This silo's node id.</summary>
    int LocalNode { get; }

    /// <summary>False for a silo on its own, which leads every partition and coordinates every group.</summary>
    bool IsClustered { get; }

    /// <summary>Whether <paramref name="nodeId"/> is a registered broker whose silo membership calls active now.</summary>
    bool IsAlive(int nodeId);

    /// <summary>The live node ids, ascending.</summary>
    IReadOnlyList<int> LiveNodes();
}

/// <summary>A silo on its own: the only node there is.</summary>
public sealed class LocalClusterNodes(int localNode) : IClusterNodes
{
    public int LocalNode => localNode;

    public bool IsClustered => false;

    public bool IsAlive(int nodeId) => nodeId == localNode;

    public IReadOnlyList<int> LiveNodes() => [localNode];
}
