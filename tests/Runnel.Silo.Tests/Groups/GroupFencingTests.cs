using System.Text;
using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Groups;

/// <summary>
/// The rebalance protocol's fencing, driven with hand-built requests so every error code is seen exactly:
/// generations, member ids, KIP-394's MEMBER_ID_REQUIRED, static members and batched LeaveGroup.
/// </summary>
public sealed class GroupFencingTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task OnlyTheCurrentGenerationOfAKnownMemberMayCommit()
    {
        var topic = TestData.UniqueTopic("fence");
        var group = TestData.UniqueTopic("fence-group");
        await using var a = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await using var b = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await a.CreateTopicOrFailAsync(topic, 2);

        // Generation 1: A alone (the join is held for the initial rebalance delay).
        var joinA = await GroupWire.JoinAsync(a, 3, group, string.Empty);
        Assert.Equal(0, joinA.ErrorCode);
        var memberA = joinA.MemberId!;
        Assert.Equal(memberA, joinA.Leader);
        var syncA = await GroupWire.SyncAsync(a, group, joinA.GenerationId, memberA, assignments: new Dictionary<string, byte[]> { [memberA] = GroupWire.Assignment(topic, 0, 1) });
        Assert.Equal(0, syncA.ErrorCode);
        Assert.Equal(0, await GroupWire.CommitAsync(a, group, joinA.GenerationId, memberA, topic, 0, 5));

        // B joins: its join is held until A learns of the rebalance through its heartbeat and rejoins.
        var joinB = GroupWire.JoinAsync(b, 3, group, string.Empty);
        await WaitForHeartbeatErrorAsync(a, group, joinA.GenerationId, memberA, GroupWire.RebalanceInProgress);
        var rejoinA = await GroupWire.JoinAsync(a, 3, group, memberA);
        var joinedB = await joinB;
        Assert.Equal(0, rejoinA.ErrorCode);
        Assert.Equal(0, joinedB.ErrorCode);
        int generation2 = rejoinA.GenerationId;
        Assert.Equal(joinA.GenerationId + 1, generation2);
        Assert.Equal(generation2, joinedB.GenerationId);
        Assert.Equal(2, rejoinA.Members.Count);

        // Between JoinGroup and the leader's SyncGroup the new generation is not complete yet.
        Assert.Equal(GroupWire.RebalanceInProgress, await GroupWire.CommitAsync(a, group, generation2, memberA, topic, 0, 6));

        var syncB = GroupWire.SyncAsync(b, group, generation2, joinedB.MemberId!);
        var syncA2 = await GroupWire.SyncAsync(a, group, generation2, memberA, assignments: new Dictionary<string, byte[]>
        {
            [memberA] = GroupWire.Assignment(topic, 0),
            [joinedB.MemberId!] = GroupWire.Assignment(topic, 1),
        });
        Assert.Equal(0, syncA2.ErrorCode);
        var syncedB = await syncB;
        Assert.Equal(0, syncedB.ErrorCode);
        Assert.Equal(GroupWire.Assignment(topic, 1), syncedB.Assignment);

        Assert.Equal(GroupWire.IllegalGeneration, await GroupWire.CommitAsync(a, group, joinA.GenerationId, memberA, topic, 0, 99));
        Assert.Equal(GroupWire.UnknownMemberId, await GroupWire.CommitAsync(a, group, generation2, "not-a-member", topic, 0, 99));
        Assert.Equal(GroupWire.IllegalGeneration, await GroupWire.HeartbeatAsync(a, group, joinA.GenerationId, memberA));
        Assert.Equal(0, await GroupWire.CommitAsync(a, group, generation2, memberA, topic, 0, 7));
        Assert.Equal(0, await GroupWire.CommitAsync(b, group, generation2, joinedB.MemberId!, topic, 1, 3));
        var fetched = await GroupWire.FetchOffsetAsync(a, group, topic, 0);
        Assert.Equal((short)0, fetched.ErrorCode);
        Assert.Equal(7, fetched.Offset);
        Assert.Equal("raw", fetched.Metadata);

        // Batched LeaveGroup (v3): both members leave in one request; an unknown one is refused on its own.
        var left = await GroupWire.LeaveAsync(a, group, (memberA, null), (joinedB.MemberId!, null), ("ghost", null));
        Assert.Equal(0, left.ErrorCode);
        Assert.Equal([0, 0, GroupWire.UnknownMemberId], left.Members);

        // The empty group lives on with its offsets.
        using var doc = JsonDocument.Parse(await _silo.Http.GetStringAsync(new Uri($"groups/{group}", UriKind.Relative)));
        Assert.Equal("Empty", doc.RootElement.GetProperty("state").GetString());
        var offsets = doc.RootElement.GetProperty("offsets").EnumerateArray().ToDictionary(o => o.GetProperty("partition").GetInt32(), o => o.GetProperty("committedOffset").GetInt64());
        Assert.Equal(7, offsets[0]);
        Assert.Equal(3, offsets[1]);
    }

    [Fact]
    public async Task JoinGroupV4AsksForAMemberIdFirstButV3DoesNot()
    {
        var group = TestData.UniqueTopic("kip394");
        await using var c = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        var first = await GroupWire.JoinAsync(c, 4, group, string.Empty, timeout: TimeSpan.FromSeconds(2));
        Assert.Equal(GroupWire.MemberIdRequired, first.ErrorCode);
        Assert.False(string.IsNullOrEmpty(first.MemberId));
        Assert.Equal(-1, first.GenerationId);

        var second = await GroupWire.JoinAsync(c, 4, group, first.MemberId!);
        Assert.Equal(0, second.ErrorCode);
        Assert.Equal(first.MemberId, second.MemberId);

        var other = TestData.UniqueTopic("v3");
        var v3 = await GroupWire.JoinAsync(c, 3, other, string.Empty);
        Assert.Equal(0, v3.ErrorCode);
        Assert.Equal(1, v3.GenerationId);
    }

    [Fact]
    public async Task StaticMemberRestartingWithinItsSessionKeepsItsAssignmentWithoutRebalance()
    {
        var topic = TestData.UniqueTopic("static");
        var group = TestData.UniqueTopic("static-group");
        await using var a = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await using var b = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await a.CreateTopicOrFailAsync(topic, 6);

        var joinA = GroupWire.JoinAsync(a, 5, group, string.Empty, "instance-a", sessionTimeoutMs: 10000);
        var joinB = GroupWire.JoinAsync(b, 5, group, string.Empty, "instance-b", sessionTimeoutMs: 10000);
        var (ja, jb) = (await joinA, await joinB);
        Assert.Equal(0, ja.ErrorCode);
        Assert.Equal(0, jb.ErrorCode);
        Assert.Equal(ja.GenerationId, jb.GenerationId);
        var (leader, leaderConn, follower, followerConn) = ja.Leader == ja.MemberId ? (ja, a, jb, b) : (jb, b, ja, a);
        var assignments = new Dictionary<string, byte[]>
        {
            [leader.MemberId!] = GroupWire.Assignment(topic, 0, 1, 2),
            [follower.MemberId!] = GroupWire.Assignment(topic, 3, 4, 5),
        };
        var followerSync = GroupWire.SyncAsync(followerConn, group, follower.GenerationId, follower.MemberId!, follower == ja ? "instance-a" : "instance-b");
        Assert.Equal(0, (await GroupWire.SyncAsync(leaderConn, group, leader.GenerationId, leader.MemberId!, leader == ja ? "instance-a" : "instance-b", assignments)).ErrorCode);
        Assert.Equal(0, (await followerSync).ErrorCode);

        // Instance b "restarts": a new connection, no member id, same group.instance.id, within its session.
        await using var restarted = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        var rejoin = await GroupWire.JoinAsync(restarted, 5, group, string.Empty, "instance-b", sessionTimeoutMs: 10000, timeout: TimeSpan.FromSeconds(3));
        Assert.Equal(0, rejoin.ErrorCode);
        Assert.Equal(jb.GenerationId, rejoin.GenerationId);
        Assert.NotEqual(jb.MemberId, rejoin.MemberId);
        var resync = await GroupWire.SyncAsync(restarted, group, rejoin.GenerationId, rejoin.MemberId!, "instance-b");
        Assert.Equal(0, resync.ErrorCode);
        Assert.Equal(assignments[jb.MemberId!], resync.Assignment);

        // No rebalance: instance a's heartbeat is fine; the old member id of instance b is fenced.
        Assert.Equal(0, await GroupWire.HeartbeatAsync(a, group, ja.GenerationId, ja.MemberId!, "instance-a"));
        Assert.Equal(GroupWire.FencedInstanceId, await GroupWire.HeartbeatAsync(b, group, jb.GenerationId, jb.MemberId!, "instance-b"));
        Assert.Equal(GroupWire.FencedInstanceId, await GroupWire.CommitAsync(b, group, jb.GenerationId, jb.MemberId!, topic, 3, 1, "instance-b"));

        // Static members leave by instance id (as an admin's removeMembersFromConsumerGroup does).
        var left = await GroupWire.LeaveAsync(a, group, (string.Empty, "instance-a"), (string.Empty, "instance-b"));
        Assert.Equal([0, 0], left.Members);
    }

    [Fact]
    public async Task FindCoordinatorNamesThisSiloForGroupsAndTransactions()
    {
        await using var c = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        var group = await c.RequestAsync(10, 2, w => w.String("any-group").Int8(0));
        group.Int32();
        Assert.Equal(0, group.Int16());
        group.String();
        Assert.Equal(0, group.Int32());
        Assert.Equal("127.0.0.1", group.String());
        Assert.Equal(_silo.KafkaPort, group.Int32());

        var txn = await c.RequestAsync(10, 2, w => w.String("any-txn").Int8(1));
        txn.Int32();
        Assert.Equal(0, txn.Int16());
        txn.String();
        Assert.Equal(0, txn.Int32());
        Assert.Equal("127.0.0.1", txn.String());
        Assert.Equal(_silo.KafkaPort, txn.Int32());

        var unknownType = await c.RequestAsync(10, 2, w => w.String("any").Int8(7));
        unknownType.Int32();
        Assert.Equal(42, unknownType.Int16()); // INVALID_REQUEST

        // v4 (flexible, KIP-699): batched keys; request header v2 adds an empty tag section.
        var batched = await c.RequestAsync(10, 4, w =>
        {
            w.UVarInt(0).Int8(0).UVarInt(3).CompactString("g1").CompactString("g2").UVarInt(0);
        });
        Assert.Equal(0, ReadUVarInt(batched)); // response header tags
        batched.Int32();
        Assert.Equal(3, ReadUVarInt(batched));
        foreach (var expected in new[] { "g1", "g2" })
        {
            Assert.Equal(expected, ReadCompactString(batched));
            Assert.Equal(0, batched.Int32());
            Assert.Equal("127.0.0.1", ReadCompactString(batched));
            Assert.Equal(_silo.KafkaPort, batched.Int32());
            Assert.Equal(0, batched.Int16());
            ReadCompactString(batched);
            Assert.Equal(0, ReadUVarInt(batched));
        }
    }

    private static async Task WaitForHeartbeatErrorAsync(RawKafkaConnection c, string group, int generation, string member, short expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        short last;
        do
        {
            last = await GroupWire.HeartbeatAsync(c, group, generation, member);
            if (last == expected)
            {
                return;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"Heartbeat of {member} kept answering {last}, {expected} expected.");
    }

    private static int ReadUVarInt(WireReader r)
    {
        int value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = (byte)r.Int8();
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private static string? ReadCompactString(WireReader r)
    {
        int length = ReadUVarInt(r) - 1;
        return length < 0 ? null : Encoding.UTF8.GetString(r.Take(length));
    }
}
