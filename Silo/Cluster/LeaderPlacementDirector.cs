using Orleans.Runtime.Placement;
using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;

namespace Runnel.Silo.Cluster;

/// <summary>
/// Puts a partition grain on its leader's silo and a group grain on its coordinator's, as the metadata says now.
/// When that silo is not available the grain is placed here, where its activation refuses to start (it checks
/// leadership itself): a caller then gets an error and the client refreshes its metadata, rather than a partition
/// opening on a silo that does not lead it.
/// </summary>
internal sealed class LeaderPlacementDirector : IPlacementDirector
{
    private readonly ClusterView _cluster;
    private readonly TopicService _topics;
    private readonly IServiceProvider _services;

    public LeaderPlacementDirector(ClusterView cluster, TopicService topics, IServiceProvider services)
    {
        _cluster = cluster;
        _topics = topics;
        _services = services;
    }

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int node = NodeFor(target.GrainIdentity);
        SiloAddress? silo = node >= 0 && _services.GetService<IClusterNodes>() is MembershipClusterNodes nodes ? nodes.SiloOf(node) : null;
        SiloAddress[] compatible = context.GetCompatibleSilos(target);
        return Task.FromResult(silo is not null && Array.IndexOf(compatible, silo) >= 0 ? silo : context.LocalSilo);
    }

    private int NodeFor(GrainId grain)
    {
        string type = grain.Type.ToString();
        string key = grain.Key.ToString();
        if (type == GrainTypes.Group)
        {
            return _cluster.CoordinatorOf(key);
        }

        if (type == GrainTypes.TransactionCoordinator)
        {
            return _cluster.TransactionCoordinatorOf(key);
        }

        (string topicName, int partition) = PartitionKey.Parse(key);
        return _topics.TryGetTopic(topicName, out TopicMetadata? topic) ? _cluster.LeaderOf(topic, partition) : -1;
    }
}
