using Microsoft.Extensions.Options;
using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Grains.Topics;

namespace Runnel.Silo.Cluster;

/// <summary>
/// Which nodes are alive in a cluster: a node is alive while the silo its broker registration names is active in
/// Orleans' membership. A silo that restarts registers again with its new silo address, so an old registration
/// never makes a dead run look alive.
/// </summary>
internal sealed class MembershipClusterNodes : IClusterNodes
{
    private readonly IClusterMembershipService _membership;
    private readonly Lazy<TopicService> _topicService;

    // The topic service is resolved on first use: it chooses partition leaders with this class, so it depends on it.
    public MembershipClusterNodes(IClusterMembershipService membership, IServiceProvider services, IOptions<BrokerOptions> broker)
    {
        _membership = membership;
        _topicService = new Lazy<TopicService>(services.GetRequiredService<TopicService>);
        LocalNode = broker.Value.NodeId;
    }

    private TopicService Topics => _topicService.Value;

    public int LocalNode { get; }

    public bool IsClustered => true;

    public bool IsAlive(int nodeId) =>
        Topics.Store.Current.Brokers.TryGetValue(nodeId, out BrokerRegistration? broker) && IsActive(broker.Silo);

    public IReadOnlyList<int> LiveNodes()
    {
        var live = new List<int>();
        foreach (BrokerRegistration broker in Topics.Store.Current.Brokers.Values)
        {
            if (IsActive(broker.Silo))
            {
                live.Add(broker.NodeId);
            }
        }

        return live;
    }

    /// <summary>The Orleans silo address a live node runs at, for placement.</summary>
    public SiloAddress? SiloOf(int nodeId) =>
        Topics.Store.Current.Brokers.TryGetValue(nodeId, out BrokerRegistration? broker) && IsActive(broker.Silo) ? SiloAddress.FromParsableString(broker.Silo) : null;

    private bool IsActive(string silo)
    {
        foreach (ClusterMember member in _membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && member.SiloAddress.ToParsableString() == silo)
            {
                return true;
            }
        }

        return false;
    }
}
