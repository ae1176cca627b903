using Microsoft.Extensions.Logging;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;

namespace Runnel.Grains.Cluster;

/// <summary>See <see cref="IClusterControllerGrain"/>: failover of partition leadership from dead nodes to live ones.</summary>
[GrainType(GrainTypes.Controller)]
public sealed partial class ClusterControllerGrain : Grain, IClusterControllerGrain
{
    private readonly TopicService _topics;
    private readonly IClusterNodes _nodes;
    private readonly ILogger<ClusterControllerGrain> _logger;

    public ClusterControllerGrain(TopicService topics, IClusterNodes nodes, ILogger<ClusterControllerGrain> logger)
    {
        _topics = topics;
        _nodes = nodes;
        _logger = logger;
    }

    public async Task<int> CheckAsync()
    {
        if (!_nodes.IsClustered)
        {
            return 0;
        }

        IReadOnlyList<int> live = _nodes.LiveNodes();
        if (live.Count == 0)
        {
            return 0;
        }

        MetadataSnapshot metadata = _topics.Store.Current;
        List<PartitionMove> moves = PlanMoves(metadata, live);
        if (moves.Count == 0)
        {
            return 0;
        }

        int moved = await _topics.Store.MovePartitionsAsync(moves);
        foreach (PartitionMove move in moves)
        {
            LogMoved(_logger, move.Topic, move.Partition, move.ToNode, move.FromEpoch + 1);
        }

        return moved;
    }

    /// <summary>Each partition without a live leader goes to the live node leading the fewest, in partition order.</summary>
    private List<PartitionMove> PlanMoves(MetadataSnapshot metadata, IReadOnlyList<int> live)
    {
        var load = live.ToDictionary(n => n, _ => 0);
        foreach (TopicMetadata topic in metadata.Topics.Values)
        {
            foreach (PartitionAssignment assignment in topic.Assignments)
            {
                if (load.TryGetValue(assignment.Leader, out int n))
                {
                    load[assignment.Leader] = n + 1;
                }
            }
        }

        var moves = new List<PartitionMove>();
        foreach (TopicMetadata topic in metadata.Topics.Values)
        {
            for (int p = 0; p < topic.PartitionCount; p++)
            {
                PartitionAssignment assignment = topic.Assignment(p);
                if (assignment.IsAssigned && load.ContainsKey(assignment.Leader))
                {
                    continue;
                }

                int target = load.MinBy(entry => (entry.Value, entry.Key)).Key;
                load[target]++;
                moves.Add(new PartitionMove(topic.Name, topic.TopicId, p, assignment.Epoch, target));
            }
        }

        return moves;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Topic}/{Partition}: its leader is gone; node {Node} leads it now at epoch {Epoch}")]
    private static partial void LogMoved(ILogger logger, string topic, int partition, int node, int epoch);
}
