using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Network;

/// <summary>One partition as Metadata last described it.</summary>
internal readonly record struct PartitionInfo(int Partition, int Leader, int LeaderEpoch, ErrorCode Error);

/// <summary>One topic as Metadata last described it; <see cref="Partitions"/> is indexed by partition id.</summary>
internal sealed record TopicInfo(string Name, Guid TopicId, ErrorCode Error, PartitionInfo[] Partitions)
{
    /// <summary>True when the topic exists and every partition has a leader.</summary>
    public bool IsUsable
    {
        get
        {
            if (Error != ErrorCode.None || Partitions.Length == 0)
            {
                return false;
            }

            foreach (PartitionInfo partition in Partitions)
            {
                if (partition.Leader < 0)
                {
                    return false;
                }
            }

            return true;
        }
    }
}

/// <summary>An immutable snapshot of the cluster: brokers and the topics asked about. Replaced whole on refresh.</summary>
internal sealed class ClusterMetadata
{
    public static readonly ClusterMetadata Empty = new(new Dictionary<int, BrokerEndpoint>(), new Dictionary<string, TopicInfo>(StringComparer.Ordinal), -1, null, 0);

    public ClusterMetadata(IReadOnlyDictionary<int, BrokerEndpoint> brokers, IReadOnlyDictionary<string, TopicInfo> topics, int controllerId, string? clusterId, long timestamp)
    {
        Brokers = brokers;
        Topics = topics;
        ControllerId = controllerId;
        ClusterId = clusterId;
        Timestamp = timestamp;
    }

    public IReadOnlyDictionary<int, BrokerEndpoint> Brokers { get; }

    public IReadOnlyDictionary<string, TopicInfo> Topics { get; }

    public int ControllerId { get; }

    public string? ClusterId { get; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of the response.</summary>
    public long Timestamp { get; }

    public TopicInfo? Topic(string name) => Topics.TryGetValue(name, out TopicInfo? info) ? info : null;

    /// <summary>A new snapshot: brokers from the response; topics from the response, merged over the ones it did not mention.</summary>
    public ClusterMetadata Merge(MetadataResponse response, long timestamp, bool replaceAllTopics)
    {
        var brokers = new Dictionary<int, BrokerEndpoint>(response.Brokers.Count);
        foreach (MetadataResponse.MetadataResponseBroker broker in response.Brokers)
        {
            brokers[broker.NodeId] = new BrokerEndpoint(broker.NodeId, broker.Host, broker.Port);
        }

        var topics = replaceAllTopics
            ? new Dictionary<string, TopicInfo>(StringComparer.Ordinal)
            : new Dictionary<string, TopicInfo>(Topics, StringComparer.Ordinal);
        foreach (MetadataResponse.MetadataResponseTopic topic in response.Topics)
        {
            if (topic.Name is null)
            {
                continue;
            }

            int count = 0;
            foreach (MetadataResponse.MetadataResponseTopic.MetadataResponsePartition p in topic.Partitions)
            {
                count = Math.Max(count, p.PartitionIndex + 1);
            }

            var partitions = new PartitionInfo[count];
            for (int i = 0; i < count; i++)
            {
                partitions[i] = new PartitionInfo(i, -1, -1, ErrorCode.LeaderNotAvailable);
            }

            foreach (MetadataResponse.MetadataResponseTopic.MetadataResponsePartition p in topic.Partitions)
            {
                partitions[p.PartitionIndex] = new PartitionInfo(p.PartitionIndex, p.LeaderId, p.LeaderEpoch, (ErrorCode)p.ErrorCode);
            }

            topics[topic.Name] = new TopicInfo(topic.Name, topic.TopicId, (ErrorCode)topic.ErrorCode, partitions);
        }

        return new ClusterMetadata(brokers, topics, response.ControllerId, response.ClusterId, timestamp);
    }
}
