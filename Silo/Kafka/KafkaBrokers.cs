using Microsoft.Extensions.Options;
using Runnel.Grains.Cluster;

namespace Runnel.Silo.Kafka;

/// <summary>
/// The brokers Kafka clients are told about: this silo at the address it advertises, and in a cluster every other
/// live silo at the address its registration names.
/// </summary>
public sealed class KafkaBrokers
{
    private readonly ClusterView _cluster;
    private readonly KafkaListenerOptions _kafka;

    public KafkaBrokers(ClusterView cluster, IOptions<KafkaListenerOptions> kafka)
    {
        _cluster = cluster;
        _kafka = kafka.Value;
    }

    public int LocalNode => _cluster.LocalNode;

    /// <summary>The live brokers, by node id.</summary>
    public IReadOnlyList<KafkaBroker> Live()
    {
        if (!_cluster.IsClustered)
        {
            return [Local()];
        }

        var brokers = new List<KafkaBroker>();
        foreach (int node in _cluster.Nodes.LiveNodes())
        {
            if (TryGet(node, out KafkaBroker broker))
            {
                brokers.Add(broker);
            }
        }

        if (!brokers.Exists(b => b.NodeId == LocalNode))
        {
            brokers.Add(Local()); // this silo answers, so it is alive, even before its registration is read back
        }

        return brokers;
    }

    /// <summary>A live broker's address.</summary>
    public bool TryGet(int node, out KafkaBroker broker)
    {
        if (node == LocalNode)
        {
            broker = Local();
            return true;
        }

        if (_cluster.IsClustered && _cluster.Nodes.IsAlive(node) && _cluster.Metadata.Brokers.TryGetValue(node, out BrokerRegistration? registration))
        {
            broker = new KafkaBroker(node, registration.Host, registration.Port);
            return true;
        }

        broker = default;
        return false;
    }

    private KafkaBroker Local() => new(LocalNode, _kafka.EffectiveAdvertisedHost, _kafka.EffectiveAdvertisedPort);
}

public readonly record struct KafkaBroker(int NodeId, string Host, int Port);
