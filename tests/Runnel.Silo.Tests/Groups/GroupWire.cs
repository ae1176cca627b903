using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Groups;

public sealed record JoinResult(short ErrorCode, int GenerationId, string? ProtocolName, string? Leader, string? MemberId, List<string> Members);

/// <summary>Hand-built group requests (classic, non-flexible versions) over a <see cref="RawKafkaConnection"/>.</summary>
public static class GroupWire
{
    public const short MemberIdRequired = 79;
    public const short RebalanceInProgress = 27;
    public const short IllegalGeneration = 22;
    public const short UnknownMemberId = 25;
    public const short FencedInstanceId = 82;

    /// <summary>JoinGroup v3, v4 or v5 with one protocol "range" (the metadata is opaque to the coordinator).</summary>
    public static async Task<JoinResult> JoinAsync(RawKafkaConnection c, short version, string group, string memberId, string? instanceId = null,
        int sessionTimeoutMs = 6000, int rebalanceTimeoutMs = 10000, string protocol = "range", TimeSpan? timeout = null)
    {
        var r = await c.RequestAsync(11, version, w =>
        {
            w.String(group).Int32(sessionTimeoutMs).Int32(rebalanceTimeoutMs).String(memberId);
            if (version >= 5)
            {
                w.String(instanceId);
            }

            w.String("consumer").Int32(1).String(protocol).Bytes(Subscription("any-topic"));
        }, timeout ?? TimeSpan.FromSeconds(40));
        r.Int32();
        var error = r.Int16();
        var generation = r.Int32();
        var protocolName = r.String();
        var leader = r.String();
        var member = r.String();
        var members = new List<string>();
        var count = r.Int32();
        for (var i = 0; i < count; i++)
        {
            members.Add(r.String()!);
            if (version >= 5)
            {
                r.String();
            }

            r.Bytes();
        }

        return new JoinResult(error, generation, protocolName, leader, member, members);
    }

    /// <summary>SyncGroup v3; the leader passes the assignments. Returns the error and this member's assignment.</summary>
    public static async Task<(short ErrorCode, byte[] Assignment)> SyncAsync(RawKafkaConnection c, string group, int generation, string memberId,
        string? instanceId = null, IReadOnlyDictionary<string, byte[]>? assignments = null)
    {
        var r = await c.RequestAsync(14, 3, w =>
        {
            w.String(group).Int32(generation).String(memberId).String(instanceId);
            w.Int32(assignments?.Count ?? 0);
            foreach (var (member, bytes) in assignments ?? new Dictionary<string, byte[]>())
            {
                w.String(member).Bytes(bytes);
            }
        }, TimeSpan.FromSeconds(40));
        r.Int32();
        return (r.Int16(), r.Bytes() ?? []);
    }

    public static async Task<short> HeartbeatAsync(RawKafkaConnection c, string group, int generation, string memberId, string? instanceId = null)
    {
        var r = await c.RequestAsync(12, 3, w => w.String(group).Int32(generation).String(memberId).String(instanceId));
        r.Int32();
        return r.Int16();
    }

    /// <summary>LeaveGroup v3 (batched); returns the top-level error and one error per member.</summary>
    public static async Task<(short ErrorCode, List<short> Members)> LeaveAsync(RawKafkaConnection c, string group, params (string MemberId, string? InstanceId)[] members)
    {
        var r = await c.RequestAsync(13, 3, w =>
        {
            w.String(group).Int32(members.Length);
            foreach (var (member, instance) in members)
            {
                w.String(member).String(instance);
            }
        });
        r.Int32();
        var error = r.Int16();
        var errors = new List<short>();
        var count = r.Int32();
        for (var i = 0; i < count; i++)
        {
            r.String();
            r.String();
            errors.Add(r.Int16());
        }

        return (error, errors);
    }

    /// <summary>OffsetCommit v7 of one partition; returns its error.</summary>
    public static async Task<short> CommitAsync(RawKafkaConnection c, string group, int generation, string memberId, string topic, int partition, long offset, string? instanceId = null)
    {
        var r = await c.RequestAsync(8, 7, w =>
        {
            w.String(group).Int32(generation).String(memberId).String(instanceId);
            w.Int32(1).String(topic).Int32(1).Int32(partition).Int64(offset).Int32(-1).String("raw");
        });
        r.Int32();
        r.Int32();
        r.String();
        r.Int32();
        r.Int32();
        return r.Int16();
    }

    /// <summary>OffsetFetch v5 of one partition: (error, committed offset, metadata).</summary>
    public static async Task<(short ErrorCode, long Offset, string? Metadata)> FetchOffsetAsync(RawKafkaConnection c, string group, string topic, int partition)
    {
        var r = await c.RequestAsync(9, 5, w => w.String(group).Int32(1).String(topic).Int32(1).Int32(partition));
        r.Int32();
        r.Int32();
        r.String();
        r.Int32();
        r.Int32();
        var offset = r.Int64();
        r.Int32();
        var metadata = r.String();
        var error = r.Int16();
        return (error, offset, metadata);
    }

    /// <summary>A consumer-protocol subscription (version 0) to the given topics.</summary>
    public static byte[] Subscription(params string[] topics)
    {
        var w = new WireWriter().Int16(0).Int32(topics.Length);
        foreach (var topic in topics)
        {
            w.String(topic);
        }

        return w.Bytes(null).ToArray();
    }

    /// <summary>A consumer-protocol assignment (version 0) of partitions of one topic.</summary>
    public static byte[] Assignment(string topic, params int[] partitions)
    {
        var w = new WireWriter().Int16(0).Int32(1).String(topic).Int32(partitions.Length);
        foreach (var p in partitions)
        {
            w.Int32(p);
        }

        return w.Bytes(null).ToArray();
    }
}
