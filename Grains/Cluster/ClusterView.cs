using Runnel.Grains.Groups;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Grains.Transactions;

namespace Runnel.Grains.Cluster;

/// <summary>
/// Who leads what, as this silo sees it now: partition leaders from the metadata's assignments, group coordinators
/// from the leaders of the offsets topic (as Kafka: a group's coordinator leads the partition its offsets go to),
/// and which nodes are alive. Read from any thread; every answer is computed from one metadata snapshot.
/// </summary>
public sealed class ClusterView
{
    private readonly TopicService _topics;
    private readonly IClusterNodes _nodes;

    public ClusterView(TopicService topics, IClusterNodes nodes)
    {
        _topics = topics;
        _nodes = nodes;
    }

    public int LocalNode => _nodes.LocalNode;

    public bool IsClustered => _nodes.IsClustered;

    public IClusterNodes Nodes => _nodes;

    public MetadataSnapshot Metadata => _topics.Store.Current;

    /// <summary>The node leading the partition, or -1 while it has none (unassigned in a cluster).</summary>
    public int LeaderOf(TopicMetadata topic, int partition)
    {
        ArgumentNullException.ThrowIfNull(topic);
        PartitionAssignment assignment = topic.Assignment(partition);
        if (assignment.IsAssigned)
        {
            return assignment.Leader;
        }

        return _nodes.IsClustered ? -1 : _nodes.LocalNode;
    }

    public bool LeadsLocally(TopicMetadata topic, int partition) => LeaderOf(topic, partition) == _nodes.LocalNode;

    /// <summary>The partition of the offsets topic <paramref name="groupId"/>'s offsets go to, or -1 before that topic exists.</summary>
    public int OffsetsPartitionOf(string groupId) =>
        _topics.TryGetTopic(OffsetsTopic.Name, out TopicMetadata? offsets) ? OffsetsTopic.PartitionFor(groupId, offsets.PartitionCount) : -1;

    /// <summary>The node coordinating <paramref name="groupId"/>: the leader of its offsets partition; -1 when there is none yet.</summary>
    public int CoordinatorOf(string groupId)
    {
        if (!_topics.TryGetTopic(OffsetsTopic.Name, out TopicMetadata? offsets))
        {
            return _nodes.IsClustered ? -1 : _nodes.LocalNode;
        }

        return LeaderOf(offsets, OffsetsTopic.PartitionFor(groupId, offsets.PartitionCount));
    }

    public bool CoordinatesLocally(string groupId) => CoordinatorOf(groupId) == _nodes.LocalNode;

    /// <summary>
    /// The node coordinating <paramref name="transactionalId"/>: the leader of its `__transaction_state` partition;
    /// this node on one silo, -1 in a cluster before that topic exists.
    /// </summary>
    public int TransactionCoordinatorOf(string transactionalId)
    {
        if (!_topics.TryGetTopic(TransactionStateTopic.Name, out TopicMetadata? state))
        {
            return _nodes.IsClustered ? -1 : _nodes.LocalNode;
        }

        return LeaderOf(state, TransactionStateTopic.PartitionFor(transactionalId, state.PartitionCount));
    }

    public bool CoordinatesTransactionLocally(string transactionalId) => TransactionCoordinatorOf(transactionalId) == _nodes.LocalNode;

    /// <summary>Kafka's controller id in Metadata: the lowest live node (the cluster controller grain may run elsewhere; clients only need a live broker).</summary>
    public int ControllerId()
    {
        IReadOnlyList<int> live = _nodes.LiveNodes();
        return live.Count > 0 ? live[0] : _nodes.LocalNode;
    }
}
