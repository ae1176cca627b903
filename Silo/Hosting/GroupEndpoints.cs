using System.Text.Json.Nodes;
using Runnel.Grains;
using Runnel.Grains.Groups;
using Runnel.Grains.Metadata;
using Runnel.Grains.Partitions;
using Runnel.Grains.Topics;

namespace Runnel.Silo.Hosting;

/// <summary>
/// Consumer groups on the HTTP port: GET /groups lists them; GET /groups/{id} shows members with their assignment
/// and, per committed partition, the committed offset, the high watermark and the lag (404 for unknown groups).
/// </summary>
public static class GroupEndpoints
{
    private const string Json = "application/json; charset=utf-8";

    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/groups", ListAsync);
        app.MapGet("/groups/{groupId}", DescribeAsync);
    }

    private static async Task<IResult> ListAsync(GroupDirectory directory, OffsetStore offsets, CancellationToken cancellationToken)
    {
        await offsets.WhenLoaded.WaitAsync(cancellationToken).ConfigureAwait(false);
        var groups = new JsonArray();
        foreach (GroupListing group in directory.List())
        {
            groups.Add(new JsonObject
            {
                ["groupId"] = group.GroupId,
                ["state"] = group.State.Name(),
                ["protocolType"] = group.ProtocolType,
                ["members"] = group.MemberCount,
            });
        }

        return Results.Text(new JsonObject { ["groups"] = groups }.ToJsonString(), Json);
    }

    private static async Task<IResult> DescribeAsync(string groupId, GroupDirectory directory, OffsetStore offsets, IGrainFactory grains, TopicService topics, CancellationToken cancellationToken)
    {
        await offsets.WhenLoaded.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!directory.Contains(groupId))
        {
            return Results.Text(new JsonObject { ["error"] = $"Group '{groupId}' does not exist." }.ToJsonString(), Json, statusCode: StatusCodes.Status404NotFound);
        }

        GroupDescription group = await grains.GetGrain<IGroupGrain>(groupId).DescribeAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        bool consumer = group.ProtocolType == ConsumerProtocol.ProtocolType;
        var members = new JsonArray();
        foreach (GroupMemberDescription member in group.Members)
        {
            var assignment = new JsonArray();
            if (consumer)
            {
                foreach (var topic in ConsumerProtocol.AssignedPartitions(member.Assignment).GroupBy(p => p.Topic, StringComparer.Ordinal))
                {
                    assignment.Add(new JsonObject { ["topic"] = topic.Key, ["partitions"] = new JsonArray(topic.Select(p => (JsonNode)p.Partition).ToArray()) });
                }
            }

            members.Add(new JsonObject
            {
                ["memberId"] = member.MemberId,
                ["groupInstanceId"] = member.GroupInstanceId,
                ["clientId"] = member.ClientId,
                ["clientHost"] = member.ClientHost,
                ["sessionTimeoutMs"] = member.SessionTimeoutMs,
                ["assignment"] = assignment,
            });
        }

        var partitions = new JsonArray();
        foreach (var (key, committed) in offsets.GetAll(groupId))
        {
            long? highWatermark = await HighWatermarkAsync(topics, key, cancellationToken).ConfigureAwait(false);
            partitions.Add(new JsonObject
            {
                ["topic"] = key.Topic,
                ["partition"] = key.Partition,
                ["committedOffset"] = committed.Offset,
                ["metadata"] = committed.Metadata,
                ["commitTimestampMs"] = committed.CommitTimestampMs,
                ["highWatermark"] = highWatermark,
                ["lag"] = highWatermark is { } hw ? Math.Max(0, hw - committed.Offset) : null,
            });
        }

        var body = new JsonObject
        {
            ["groupId"] = group.GroupId,
            ["state"] = group.State,
            ["protocolType"] = group.ProtocolType,
            ["protocol"] = group.ProtocolName,
            ["generationId"] = group.GenerationId,
            ["leader"] = group.LeaderId,
            ["members"] = members,
            ["offsets"] = partitions,
        };
        return Results.Text(body.ToJsonString(), Json);
    }

    private static async Task<long?> HighWatermarkAsync(TopicService topics, GroupTopicPartition partition, CancellationToken cancellationToken)
    {
        if (!topics.TryGetTopic(partition.Topic, out TopicMetadata? topic) || partition.Partition >= topic.PartitionCount)
        {
            return null;
        }

        IPartitionReader? reader = await topics.GetReaderAsync(topic, partition.Partition, cancellationToken).ConfigureAwait(false);
        return reader?.HighWatermark;
    }
}
