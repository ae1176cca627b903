using Runnel.Cluster.Tests.Infrastructure;
using Runnel.Grains.Groups;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Groups;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cluster.Tests;

/// <summary>
/// Each client family as a consumer group of three member processes (the drivers in tests/interop/groups) against
/// three silos: bootstrapped from one silo, coordinated by another, the members read and commit every partition of a
/// 12-partition topic; they are SIGKILLed, the group's offsets partition moves to the third silo, and three new
/// members (a new generation) resume from the committed offsets on that coordinator: nothing read before is read
/// again, nothing produced since is skipped.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterGroupInteropTests(ThreeSilos fixture) : IClassFixture<ThreeSilos>
{
    private const int Partitions = 12;
    private const int FirstRound = 8;
    private const int SecondRound = 4;
    private const int SessionTimeoutMs = 6000;

    private SiloCluster Cluster => fixture.Cluster;

    [Theory]
    [InlineData("kafka-python")]
    [InlineData("confluent-kafka")]
    [InlineData("kafkajs")]
    [InlineData("platformatic")]
    [InlineData("kcat")]
    public async Task Three_members_commit_and_a_new_generation_resumes_from_the_commits_on_another_coordinator_that_is_not_the_bootstrap_silo(string client)
    {
        string topic = TestData.UniqueTopic("groups-" + client);
        await Cluster.CreateTopicAsync(topic, Partitions);
        await ConfluentClients.ProduceAsync(Cluster.BootstrapServers, topic, Partitions, FirstRound);
        int bootstrap = 1;
        (string group, int coordinator) = await GroupCoordinatedElsewhereAsync(client, bootstrap);

        List<ReadRecord> first = await RunGenerationAsync(client, group, topic, generation: 1, bootstrap, coordinator, FirstRound);
        Dictionary<int, long> committed = await CommittedAsync(coordinator, group);
        Assert.All(Enumerable.Range(0, Partitions), p => Assert.Equal(FirstRound, committed.GetValueOrDefault(p)));
        AssertValues(first, FirstRound, firstSequence: 0);

        // The group's offsets partition moves to the third silo: the new generation resumes on another coordinator.
        int next = 3 - bootstrap - coordinator;
        await MoveCoordinatorAsync(group, next);
        await ConfluentClients.ProduceAsync(Cluster.BootstrapServers, topic, Partitions, SecondRound, firstSequence: 100);
        List<ReadRecord> second = await RunGenerationAsync(client, group, topic, generation: 2, bootstrap, next, FirstRound + SecondRound);
        Assert.True(second.All(r => r.Offset >= committed[r.Partition]), $"the new generation read again below the commits: {string.Join(", ", second.Where(r => r.Offset < committed[r.Partition]).Take(10))}");
        AssertValues(second, SecondRound, firstSequence: 100, firstOffset: FirstRound);
    }

    [Fact]
    public async Task A_commit_the_new_coordinator_accepts_after_an_offsets_partition_move_is_the_one_it_serves()
    {
        string topic = TestData.UniqueTopic("coordinator-move");
        await Cluster.CreateTopicAsync(topic, 1);
        string group = "moving-" + Guid.NewGuid().ToString("N")[..6];
        int from = (await WireCall.SendAsync<FindCoordinatorResponse>(Cluster[0].KafkaPort, ApiKey.FindCoordinator, 3, new FindCoordinatorRequest { Key = group })).NodeId;
        Assert.True(await SiloCluster.WaitUntilAsync(() => Cluster.Silos.All(s => FindCoordinator(s, group) == from), TimeSpan.FromSeconds(30)), "the silos name different coordinators");

        // One member in generation 1 on the first coordinator, with a commit.
        var join = new JoinGroupRequest { GroupId = group, SessionTimeoutMs = 30_000, RebalanceTimeoutMs = 10_000, MemberId = "", ProtocolType = "consumer" };
        join.Protocols.Add(new() { Name = "range", Metadata = new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 } });
        JoinGroupResponse joined = await WireCall.SendAsync<JoinGroupResponse>(Cluster[from].KafkaPort, ApiKey.JoinGroup, 5, join);
        Assert.Equal((short)ErrorCode.MemberIdRequired, joined.ErrorCode);
        join.MemberId = joined.MemberId;
        joined = await WireCall.SendAsync<JoinGroupResponse>(Cluster[from].KafkaPort, ApiKey.JoinGroup, 5, join);
        Assert.Equal(0, joined.ErrorCode);
        var sync = new SyncGroupRequest { GroupId = group, GenerationId = joined.GenerationId, MemberId = joined.MemberId };
        sync.Assignments.Add(new() { MemberId = joined.MemberId, Assignment = Array.Empty<byte>() });
        Assert.Equal(0, (await WireCall.SendAsync<SyncGroupResponse>(Cluster[from].KafkaPort, ApiKey.SyncGroup, 3, sync)).ErrorCode);
        Assert.Equal(0, await CommitUntilAnsweredAsync(from, group, topic, 5, joined.GenerationId, joined.MemberId));

        int to = (from + 1) % 3;
        int partition = OffsetsTopic.PartitionFor(group, SiloCluster.Leaders(Cluster[0], OffsetsTopic.Name).Length);
        using HttpResponseMessage moved = await Cluster[0].Http.PostAsync(new Uri($"cluster/partitions/{OffsetsTopic.Name}/{partition}/move?to={to}", UriKind.Relative), null);
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
        Assert.True(await SiloCluster.WaitUntilAsync(() => Cluster.Silos.All(s => FindCoordinator(s, group) == to), TimeSpan.FromSeconds(30)), "the silos do not all name the new coordinator");

        // The new coordinator either takes the member's commit and then serves it, or (as after a coordinator
        // failover in Kafka) does not know the member, which must join again. Taking it and serving the old
        // offset loses the commit: the group's old activation took it on the old coordinator.
        short error = await CommitUntilAnsweredAsync(to, group, topic, 9, joined.GenerationId, joined.MemberId);
        OffsetFetchResponse? fetched = null;
        for (int attempt = 0; attempt < 20 && fetched is not { ErrorCode: 0 }; attempt++)
        {
            try
            {
                fetched = await WireCall.SendAsync<OffsetFetchResponse>(Cluster[to].KafkaPort, ApiKey.OffsetFetch, 7, new OffsetFetchRequest { GroupId = group, Topics = null });
            }
            catch (IOException)
            {
                await Task.Delay(250); // the moved partition is still opening there; a client asks again
            }
        }

        long served = fetched!.Topics.Single(t => t.Name == topic).Partitions.Single(p => p.PartitionIndex == 0).CommittedOffset;
        Assert.True(error == 0 ? served == 9 : error is (short)ErrorCode.UnknownMemberId or (short)ErrorCode.IllegalGeneration && served == 5,
            $"the new coordinator answered the commit of 9 with error {error} and serves offset {served}");
    }

    /// <summary>A commit, sent again while the answer is NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS or a closed connection (bounded: 5 s); the last error.</summary>
    private async Task<short> CommitUntilAnsweredAsync(int node, string group, string topic, long offset, int generation = -1, string member = "")
    {
        short error = -1;
        for (int attempt = 0; attempt < 20 && error is -1 or -2 or (short)ErrorCode.NotCoordinator or (short)ErrorCode.CoordinatorNotAvailable or (short)ErrorCode.CoordinatorLoadInProgress; attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 250);
            var commit = new OffsetCommitRequest { GroupId = group, GenerationIdOrMemberEpoch = generation, MemberId = member };
            commit.Topics.Add(new() { Name = topic, Partitions = [new() { PartitionIndex = 0, CommittedOffset = offset }] });
            try
            {
                error = (await WireCall.SendAsync<OffsetCommitResponse>(Cluster[node].KafkaPort, ApiKey.OffsetCommit, 7, commit)).Topics[0].Partitions[0].ErrorCode;
            }
            catch (IOException)
            {
                error = -2; // the silo closed the connection (as a client would, ask again)
            }
        }

        return error;
    }

    /// <summary>A group id whose coordinator (the leader of its offsets partition) is not <paramref name="bootstrap"/>.</summary>
    private async Task<(string Group, int Coordinator)> GroupCoordinatedElsewhereAsync(string client, int bootstrap)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            string group = $"{client}-{attempt}-{Guid.NewGuid().ToString("N")[..6]}";
            FindCoordinatorResponse found = await WireCall.SendAsync<FindCoordinatorResponse>(Cluster[bootstrap].KafkaPort, ApiKey.FindCoordinator, 3, new FindCoordinatorRequest { Key = group });
            Assert.Equal(0, found.ErrorCode);
            if (found.NodeId != bootstrap)
            {
                return (group, found.NodeId);
            }
        }

        throw new InvalidOperationException($"50 groups all had their coordinator on the bootstrap silo {bootstrap}");
    }

    /// <summary>Moves the offsets partition of <paramref name="group"/> to node <paramref name="to"/> with the admin call, until every silo names it the coordinator.</summary>
    private async Task MoveCoordinatorAsync(string group, int to)
    {
        int partition = OffsetsTopic.PartitionFor(group, SiloCluster.Leaders(Cluster[0], OffsetsTopic.Name).Length);
        using HttpResponseMessage moved = await Cluster[0].Http.PostAsync(new Uri($"cluster/partitions/{OffsetsTopic.Name}/{partition}/move?to={to}", UriKind.Relative), null);
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
        Assert.True(await SiloCluster.WaitUntilAsync(() => Cluster.Silos.All(s => FindCoordinator(s, group) == to), TimeSpan.FromSeconds(30)), $"the silos do not all name node {to} the coordinator of {group}");
    }

    private static int FindCoordinator(SiloProcess silo, string group) =>
        WireCall.SendAsync<FindCoordinatorResponse>(silo.KafkaPort, ApiKey.FindCoordinator, 3, new FindCoordinatorRequest { Key = group }).Result.NodeId;

    /// <summary>
    /// Three members bootstrapped from <paramref name="bootstrap"/>, until the group is stable with all three and has
    /// committed <paramref name="end"/> in every partition; then SIGKILLed. What they read, deduplicated.
    /// </summary>
    private async Task<List<ReadRecord>> RunGenerationAsync(string client, string group, string topic, int generation, int bootstrap, int coordinator, long end)
    {
        string[] clientIds = [.. Enumerable.Range(0, 3).Select(m => $"{client}-g{generation}-m{m}")];
        var members = clientIds.Select(id => GroupMembers.Start(client, Cluster[bootstrap], topic, group, id, SessionTimeoutMs)).ToList();
        try
        {
            bool stable = await SiloCluster.WaitUntilAsync(() => HasMembers(coordinator, group, clientIds), TimeSpan.FromSeconds(90));
            Assert.True(stable, $"generation {generation} of {group} never had its three members at once on node {coordinator}\n{Describe(members)}\n{Cluster.Describe()}");
            bool done = await SiloCluster.WaitUntilAsync(() => CommittedAsync(coordinator, group).Result is var c && Enumerable.Range(0, Partitions).All(p => c.GetValueOrDefault(p) == end), TimeSpan.FromSeconds(90));
            Assert.True(done, $"generation {generation} of {group} did not commit offset {end} in every partition: {string.Join(", ", CommittedAsync(coordinator, group).Result)}\n{Describe(members)}\n{Cluster.Describe()}");
        }
        finally
        {
            foreach (RunningProcess member in members)
            {
                member.KillHard();
            }
        }

        // Killed, their output read to the end: every record they printed, each (partition, offset) once.
        var read = new List<ReadRecord>();
        foreach (RunningProcess member in members)
        {
            ProcessResult result = await member.KillAndCollectAsync();
            read.AddRange(SpreadRecords.FromGroupMember(result.StdoutLines));
            member.Dispose();
        }

        return [.. read.DistinctBy(r => (r.Partition, r.Offset))];
    }

    private bool HasMembers(int coordinator, string group, string[] clientIds)
    {
        var describe = new DescribeGroupsRequest();
        describe.Groups.Add(group);
        DescribeGroupsResponse.DescribedGroup described;
        try
        {
            described = WireCall.SendAsync<DescribeGroupsResponse>(Cluster[coordinator].KafkaPort, ApiKey.DescribeGroups, 5, describe).Result.Groups[0];
        }
        catch (AggregateException e) when (e.InnerException is IOException or System.Net.Sockets.SocketException)
        {
            return false; // the silo closed the connection: the assertion after the wait shows its errors
        }

        return described.GroupState == "Stable" && described.Members.Select(m => m.ClientId).Order(StringComparer.Ordinal).SequenceEqual(clientIds);
    }

    private async Task<Dictionary<int, long>> CommittedAsync(int coordinator, string group)
    {
        OffsetFetchResponse fetched = await WireCall.SendAsync<OffsetFetchResponse>(Cluster[coordinator].KafkaPort, ApiKey.OffsetFetch, 7, new OffsetFetchRequest { GroupId = group, Topics = null });
        Assert.Equal(0, fetched.ErrorCode);
        return fetched.Topics.SelectMany(t => t.Partitions).ToDictionary(p => p.PartitionIndex, p => p.CommittedOffset);
    }

    /// <summary>Each partition's records from <paramref name="firstOffset"/> on, "{p}:{sequence}" as ConfluentClients produced them.</summary>
    private static void AssertValues(List<ReadRecord> read, int perPartition, int firstSequence, long firstOffset = 0)
    {
        for (int p = 0; p < Partitions; p++)
        {
            int partition = p;
            var values = read.Where(r => r.Partition == partition).OrderBy(r => r.Offset).Select(r => (r.Offset, r.Value));
            Assert.Equal(Enumerable.Range(0, perPartition).Select(i => (firstOffset + i, $"{partition}:{firstSequence + i}")), values);
        }
    }

    private static string Describe(IEnumerable<RunningProcess> members) =>
        string.Join('\n', members.Select(m => $"--- {m.CommandLine}\n{ProcessResult.Tail(m.Stderr, 2000)}\n{string.Join('\n', m.StdoutLines.Where(l => l.Contains("event", StringComparison.Ordinal)).TakeLast(10))}"));
}
