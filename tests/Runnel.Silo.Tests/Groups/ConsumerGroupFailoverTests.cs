using System.Collections.Concurrent;
using System.Diagnostics;
using Runnel.Silo.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Runnel.Silo.Tests.Groups;

/// <summary>
/// Each real client as a group of three members reading a 6-partition topic while the test produces; one member
/// is SIGKILLed and, once its session times out, its partitions move to the two survivors. Nothing produced may be
/// missing; a record may be read twice only at or above the offset committed when the member died, and only on a
/// partition that changed owner (for clients that commit on revoke), and the test counts those duplicates.
/// </summary>
public sealed class ConsumerGroupFailoverTests(SiloFixture fixture, ITestOutputHelper output) : IClassFixture<SiloFixture>
{
    private const int Partitions = 6;
    private const int SessionTimeoutMs = 6000;
    private static readonly string[] s_members = ["c0", "c1", "c2"];
    private static readonly string[] s_survivors = ["c0", "c2"];

    /// <summary>
    /// Clients whose auto-commit runs beside their fetching: @platformatic/kafka commits after handing out a fetch,
    /// and on a join it reloads its positions from the committed offsets without waiting for a commit still on its
    /// way, so it can read again what it read just before a rebalance, on a partition it keeps (it would do the same
    /// against Kafka, whose guarantee is at-least-once). The others commit on revoke before they rejoin.
    /// </summary>
    private static readonly HashSet<string> s_rereadOnKeptPartitions = new(StringComparer.Ordinal) { "platformatic" };
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public Task KcatGroupMembersTakeOverAKilledMembersPartitions() => RunAsync("kcat");

    [Fact]
    public Task KafkaPythonGroupMembersTakeOverAKilledMembersPartitions() => RunAsync("kafka-python");

    [Fact]
    public Task ConfluentKafkaGroupMembersTakeOverAKilledMembersPartitions() => RunAsync("confluent-kafka");

    [Fact]
    public Task ConfluentDotnetGroupMembersTakeOverAKilledMembersPartitions() => RunAsync("confluent-dotnet");

    [Fact]
    public Task KafkaJsGroupMembersTakeOverAKilledMembersPartitions() => RunAsync("kafkajs");

    [Fact]
    public Task PlatformaticGroupMembersTakeOverAKilledMembersPartitions() => RunAsync("platformatic");

    [Fact]
    public Task RunnelClientGroupMembersTakeOverAKilledMembersPartitions() => RunAsync("runnel-client");

    private async Task RunAsync(string client)
    {
        var topic = TestData.UniqueTopic("failover-" + client);
        var group = TestData.UniqueTopic("group-" + client);
        await using var producer = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        await producer.CreateTopicOrFailAsync(topic, Partitions);
        var members = new Dictionary<string, RunningProcess>();
        try
        {
            foreach (var id in s_members)
            {
                members[id] = GroupMembers.Start(client, _silo, topic, group, id, SessionTimeoutMs);
            }

            var before = await GroupView.WaitForAsync(_silo, group, v => v.IsStableWith(s_members, Partitions), TimeSpan.FromSeconds(90), "three stable members");

            var produced = new ConcurrentBag<GroupRecord>();
            using var stop = new CancellationTokenSource();
            var producing = ProduceUntilStoppedAsync(producer, topic, produced, stop.Token);
            await Task.Delay(3000);

            const string victim = "c1";
            members[victim].KillHard();
            var killedAt = Stopwatch.StartNew();
            await Task.Delay(500); // a commit already in flight when the member died is applied by now
            var atKill = (await GroupView.GetAsync(_silo, group))!;
            var after = await GroupView.WaitForAsync(_silo, group, v => v.Generation > before.Generation && v.IsStableWith(s_survivors, Partitions),
                TimeSpan.FromSeconds(60), "the two survivors owning all partitions");
            var takeover = killedAt.Elapsed;
            await Task.Delay(2000);
            await stop.CancelAsync();
            await producing;

            var expected = produced.Select(r => r.Value).ToHashSet(StringComparer.Ordinal);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            List<GroupRecord> consumed;
            do
            {
                await Task.Delay(250);
                consumed = members.Values.SelectMany(m => GroupMembers.Records(m.StdoutLines)).ToList();
            }
            while (!expected.IsSubsetOf(consumed.Select(r => r.Value)) && DateTime.UtcNow < deadline);

            var missing = expected.Except(consumed.Select(r => r.Value)).ToList();
            Assert.True(missing.Count == 0, $"{client}: {missing.Count} of {expected.Count} produced records were never consumed, e.g. {string.Join(", ", missing.Take(5))}.\n{Describe(members, group)}");

            // Duplicates: only at or above what was committed when c1 died, and only on partitions that changed owner
            // unless the client re-reads on a rebalance (see s_rereadOnKeptPartitions).
            var changed = Enumerable.Range(0, Partitions).Where(p => Owner(before, p) != Owner(after, p)).ToHashSet();
            var mayRepeat = s_rereadOnKeptPartitions.Contains(client) ? Enumerable.Range(0, Partitions).ToHashSet() : changed;
            var duplicates = consumed.GroupBy(r => r.Value).Where(g => g.Count() > 1).Select(g => g.First()).ToList();
            foreach (var duplicate in duplicates)
            {
                long committed = atKill.Committed.GetValueOrDefault(duplicate.Partition);
                Assert.True(mayRepeat.Contains(duplicate.Partition) && duplicate.Offset >= committed,
                    $"{client}: record {duplicate.Value} (partition {duplicate.Partition}, offset {duplicate.Offset}) was consumed twice although " +
                    $"its partition {(changed.Contains(duplicate.Partition) ? "changed owner" : "kept its owner")} and {committed} was committed there.\n{Describe(members, group)}");
            }

            int bound = mayRepeat.Sum(p => members[Owner(before, p)].StdoutLines.Count == 0 ? 0 :
                GroupMembers.Records(members[Owner(before, p)].StdoutLines).Count(r => r.Partition == p && r.Offset >= atKill.Committed.GetValueOrDefault(p)));
            Assert.True(duplicates.Count <= bound, $"{client}: {duplicates.Count} duplicates, more than the {bound} records read past the last commits of the partitions that may repeat.");
            output.WriteLine($"{client}: produced {expected.Count}, consumed {consumed.Count}, duplicates {duplicates.Count} (bound {bound}); " +
                             $"partitions moved {string.Join(",", changed)}; survivors owned everything {takeover.TotalSeconds:F1} s after the SIGKILL " +
                             $"(session timeout {SessionTimeoutMs / 1000} s); generation {before.Generation} -> {after.Generation}.");
        }
        finally
        {
            foreach (var member in members.Values)
            {
                member.Dispose();
            }
        }
    }

    private static string Owner(GroupView view, int partition) => view.AssignmentByClient.First(e => e.Value.Contains(partition)).Key;

    private static async Task ProduceUntilStoppedAsync(RawKafkaConnection producer, string topic, ConcurrentBag<GroupRecord> produced, CancellationToken stop)
    {
        for (int i = 0; !stop.IsCancellationRequested; i++)
        {
            int partition = i % Partitions;
            string value = $"r-{i:D6}";
            var batch = RecordBatchBuilder.Build([new TestRecord($"k{i}", value, [])], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var result = await producer.ProduceWhenReadyAsync(topic, partition, batch);
            Assert.True(result.ErrorCode == 0, $"produce of {value} to partition {partition} failed with {result.ErrorCode}");
            produced.Add(new GroupRecord(partition, result.BaseOffset, value));
            if (partition == Partitions - 1)
            {
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    private string Describe(Dictionary<string, RunningProcess> members, string group)
        => string.Join("\n", members.Select(m =>
            $"--- {m.Key}: {m.Value.CommandLine}\n" +
            $"events: {string.Join(" ", m.Value.StdoutLines.Where(l => l.Contains("\"event\"", StringComparison.Ordinal)))}\n" +
            ProcessResult.Tail(m.Value.Stderr, 2000))) +
           "\n--- silo, this group:\n" + string.Join("\n", _silo.Output.Split('\n').Where(l => l.Contains(group, StringComparison.Ordinal)).TakeLast(40));
}
