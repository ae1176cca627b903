using System.Text.Json.Nodes;
using Runnel.Grains;
using Runnel.Grains.Cluster;
using Runnel.Grains.Groups;
using Runnel.Grains.Metadata;
using Runnel.Grains.Topics;
using Runnel.Protocol;
using Runnel.Silo.Kafka;

namespace Runnel.Silo.Hosting;

/// <summary>
/// GET /cluster: the cluster as this silo sees it: every registered broker with its Kafka address, whether it is
/// alive, how many partitions it leads and how many offsets partitions (groups' coordinators) it holds, plus local
/// logs set aside because another leader superseded them. One silo shows itself. POST
/// /cluster/partitions/{topic}/{partition}/move?to={node} moves a partition's leadership (a silo that joined gets
/// new partitions by itself, and existing ones this way).
/// </summary>
public static class ClusterEndpoints
{
    private const string Json = "application/json; charset=utf-8";

    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/cluster", Describe);
        app.MapPost("/cluster/partitions/{topic}/{partition:int}/move", MoveAsync);
    }

    /// <summary>
    /// Moves a partition's leadership to node <c>to</c>: the leader seals and uploads its log and lowers its lease to
    /// the log end, then the metadata names the new leader (epoch + 1), which continues from the blob tier at exactly
    /// that offset. 400 for a bad request, 409 when the partition moved meanwhile or could not hand over.
    /// </summary>
    private static async Task<IResult> MoveAsync(string topic, int partition, int? to, ClusterView cluster, TopicService topics, KafkaBrokers brokers)
    {
        if (!cluster.IsClustered)
        {
            return Problem(400, "This silo is not in a cluster (--clustering localhost): there is nowhere to move to.");
        }

        if (!topics.TryGetTopic(topic, out TopicMetadata? metadata) || partition < 0 || partition >= metadata.PartitionCount)
        {
            return Problem(404, $"Partition {partition} of topic '{topic}' does not exist.");
        }

        if (to is not { } node || !brokers.TryGet(node, out _))
        {
            return Problem(400, $"?to= must name a live node; live nodes are {string.Join(", ", brokers.Live().Select(b => b.NodeId))}.");
        }

        int from = cluster.LeaderOf(metadata, partition);
        int epoch = metadata.Assignment(partition).Epoch;
        if (from == node)
        {
            return Results.Text(MoveResult(topic, partition, from, node, epoch, -1).ToJsonString(), Json);
        }

        if (from < 0 || !brokers.TryGet(from, out _))
        {
            return Problem(409, $"{topic}/{partition} has no live leader to hand over from; the controller will give it one.");
        }

        HandOverOutcome handedOver = await topics.Partition(topic, partition).HandOverAsync().ConfigureAwait(false);
        if (handedOver.Error != ErrorCode.None)
        {
            return Problem(409, handedOver.Message ?? handedOver.Error.ToString());
        }

        int moved = await topics.Store.MovePartitionsAsync([new PartitionMove(topic, metadata.TopicId, partition, epoch, node)]).ConfigureAwait(false);
        return moved == 1
            ? Results.Text(MoveResult(topic, partition, from, node, epoch + 1, handedOver.LogEndOffset).ToJsonString(), Json)
            : Problem(409, $"{topic}/{partition} moved meanwhile (its epoch is no longer {epoch}).");
    }

    private static JsonObject MoveResult(string topic, int partition, int from, int to, int epoch, long offset) => new()
    {
        ["topic"] = topic,
        ["partition"] = partition,
        ["from"] = from,
        ["to"] = to,
        ["epoch"] = epoch,
        ["handedOverAtOffset"] = offset,
    };

    private static IResult Problem(int status, string message) =>
        Results.Text(new JsonObject { ["error"] = message }.ToJsonString(), Json, statusCode: status);

    private static IResult Describe(ClusterView cluster, KafkaBrokers brokers, StrandedLogs stranded)
    {
        MetadataSnapshot metadata = cluster.Metadata;
        var led = new Dictionary<int, int>();
        var coordinating = new Dictionary<int, int>();
        foreach (TopicMetadata topic in metadata.Topics.Values)
        {
            for (int p = 0; p < topic.PartitionCount; p++)
            {
                int leader = cluster.LeaderOf(topic, p);
                led[leader] = led.GetValueOrDefault(leader) + 1;
                if (OffsetsTopic.IsInternal(topic.Name))
                {
                    coordinating[leader] = coordinating.GetValueOrDefault(leader) + 1;
                }
            }
        }

        var nodes = new SortedSet<int>(metadata.Brokers.Keys) { cluster.LocalNode };
        var silos = new JsonArray();
        foreach (int node in nodes)
        {
            bool alive = brokers.TryGet(node, out KafkaBroker broker);
            metadata.Brokers.TryGetValue(node, out BrokerRegistration? registration);
            silos.Add(new JsonObject
            {
                ["nodeId"] = node,
                ["host"] = alive ? broker.Host : registration?.Host,
                ["port"] = alive ? broker.Port : registration?.Port,
                ["silo"] = registration?.Silo,
                ["status"] = alive ? "alive" : "dead",
                ["partitionsLed"] = led.GetValueOrDefault(node),
                ["offsetsPartitionsLed"] = coordinating.GetValueOrDefault(node),
            });
        }

        var strandedLogs = new JsonArray();
        foreach (StrandedLog log in stranded.Entries)
        {
            strandedLogs.Add(new JsonObject
            {
                ["topic"] = log.Topic,
                ["partition"] = log.Partition,
                ["firstOffset"] = log.FirstOffset,
                ["supersededBy"] = log.NewerLeader,
                ["folder"] = log.Folder,
            });
        }

        var body = new JsonObject
        {
            ["clusterId"] = metadata.ClusterId,
            ["localNode"] = cluster.LocalNode,
            ["controller"] = cluster.ControllerId(),
            ["clustered"] = cluster.IsClustered,
            ["unassignedPartitions"] = led.GetValueOrDefault(-1),
            ["silos"] = silos,
            ["strandedLogs"] = strandedLogs,
        };
        return Results.Text(body.ToJsonString(), Json);
    }
}
