using Runnel.Grains.Metadata;

namespace Runnel.Grains.Cluster;

/// <summary>
/// Spreads new partitions over the live nodes: each goes to the node leading the fewest partitions of this topic,
/// then the fewest of all topics, then the lowest id; so a topic of 12 partitions on 3 silos gets 4 leaders on each,
/// and small topics fill the least loaded silos first.
/// </summary>
public sealed class SpreadPartitionAssigner : IPartitionAssigner
{
    private readonly IClusterNodes _nodes;

    public SpreadPartitionAssigner(IClusterNodes nodes) => _nodes = nodes;

    public PartitionAssignment[] Assign(MetadataSnapshot metadata, string topic, int first, int count)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        IReadOnlyList<int> live = _nodes.LiveNodes();
        if (live.Count == 0)
        {
            return [.. Enumerable.Repeat(PartitionAssignment.Unassigned, count)];
        }

        var load = new Dictionary<int, int>();
        var ofTopic = new Dictionary<int, int>();
        foreach (int node in live)
        {
            load[node] = 0;
            ofTopic[node] = 0;
        }

        foreach (TopicMetadata existing in metadata.Topics.Values)
        {
            bool same = existing.Name == topic;
            foreach (PartitionAssignment assignment in existing.Assignments)
            {
                if (load.TryGetValue(assignment.Leader, out int n))
                {
                    load[assignment.Leader] = n + 1;
                    ofTopic[assignment.Leader] += same ? 1 : 0;
                }
            }
        }

        var assignments = new PartitionAssignment[count];
        for (int i = 0; i < count; i++)
        {
            int best = live[0];
            foreach (int node in live)
            {
                if ((ofTopic[node], load[node]).CompareTo((ofTopic[best], load[best])) < 0)
                {
                    best = node;
                }
            }

            load[best]++;
            ofTopic[best]++;
            assignments[i] = new PartitionAssignment(best, 0);
        }

        return assignments;
    }
}
