using System.Collections.Concurrent;
using Runnel.Client.Admin;
using Runnel.Client.Consumer;
using Runnel.Client.Consumer.Groups;
using Runnel.Client.Producer;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>
/// Consumer groups on a real silo: range and cooperative-sticky rebalances between two Runnel consumers, commits
/// and lag through the admin client.
/// </summary>
public sealed class GroupTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private const int Partitions = 4;
    private SiloProcess Silo => fixture.Silo;

    [Theory]
    [InlineData("range")]
    [InlineData("cooperative-sticky")]
    public async Task Two_members_share_the_partitions_and_the_survivor_takes_over(string assignor)
    {
        string topic = TestData.UniqueTopic("group-" + assignor);
        string group = "g-" + topic;
        await using var admin = new KafkaAdminClient(TestHelpers.Producer(Silo));
        await admin.CreateTopicsAsync([new TopicSpecification(topic, Partitions)]);
        await using var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo));
        await ProduceAsync(producer, topic, 0, 200);

        IPartitionAssignor strategy = assignor == "range" ? new RangeAssignor() : new CooperativeStickyAssignor();
        var seen = new ConcurrentDictionary<string, int>();
        var revokedByFirst = new ConcurrentBag<int>();
        await using var first = new KafkaConsumer<string, string>(TestHelpers.Consumer(Silo, group, o => o.PartitionAssignors = [strategy]));
        first.PartitionsRevoked += p => revokedByFirst.Add(p.Count);
        first.Subscribe([topic]);
        using var stopFirst = new CancellationTokenSource();
        Task firstLoop = RunAsync(first, seen, stopFirst.Token);
        await WaitUntilAsync(() => seen.Count == 200, "the first member consumes everything");
        Assert.Equal(Partitions, first.Assignment.Count);

        var second = new KafkaConsumer<string, string>(TestHelpers.Consumer(Silo, group, o => o.PartitionAssignors = [strategy]));
        second.Subscribe([topic]);
        using var stopSecond = new CancellationTokenSource();
        Task secondLoop = RunAsync(second, seen, stopSecond.Token);
        await WaitUntilAsync(() => first.Assignment.Count == 2 && second.Assignment.Count == 2, "two partitions each");
        Assert.Empty(first.Assignment.Intersect(second.Assignment));
        if (assignor == "cooperative-sticky")
        {
            Assert.All(revokedByFirst, count => Assert.True(count <= 2, $"cooperative rebalancing revoked {count} partitions at once"));
        }

        GroupDescription description = await admin.DescribeGroupAsync(group);
        Assert.Equal("Stable", description.State);
        Assert.Equal(2, description.Members.Count);
        Assert.Equal(assignor, description.Protocol);
        Assert.Equal(Partitions, description.Members.Sum(m => m.Assignment.Count));

        await ProduceAsync(producer, topic, 200, 200);
        await WaitUntilAsync(() => seen.Count == 400, "both members consume the new records");

        stopSecond.Cancel();
        await secondLoop;
        await second.DisposeAsync(); // commits and leaves the group
        await WaitUntilAsync(() => first.Assignment.Count == Partitions, "the survivor takes every partition");
        await ProduceAsync(producer, topic, 400, 100);
        await WaitUntilAsync(() => seen.Count == 500, "the survivor consumes the last records");
        Assert.All(seen, kv => Assert.True(kv.Value == 1, $"{kv.Key} was consumed {kv.Value} times"));

        await first.CommitAsync();
        IReadOnlyList<PartitionLag> lag = await admin.GetGroupLagAsync(group);
        Assert.Equal(Partitions, lag.Count);
        Assert.All(lag, l => Assert.Equal(0, l.Lag));
        Assert.Equal(500, lag.Sum(l => l.EndOffset));
        Assert.Contains(await admin.ListGroupsAsync(), g => g.GroupId == group);

        stopFirst.Cancel();
        await firstLoop;
    }

    /// <summary>
    /// A member still handing out a backlog when a rebalance takes its partitions away must commit exactly what it
    /// handed out: a record delivered after the commit was taken would be read again by whoever owns it next.
    /// </summary>
    [Theory]
    [InlineData("range")]
    [InlineData("cooperative-sticky")]
    public async Task A_member_busy_with_a_backlog_commits_exactly_what_it_handed_out_when_a_rebalance_takes_its_partitions(string assignor)
    {
        const int Records = 40_000;
        string topic = TestData.UniqueTopic("backlog-" + assignor);
        string group = "g-" + topic;
        await using var admin = new KafkaAdminClient(TestHelpers.Producer(Silo));
        await admin.CreateTopicsAsync([new TopicSpecification(topic, Partitions)]);
        await using (var producer = new KafkaProducer<string, string>(TestHelpers.Producer(Silo)))
        {
            await ProduceAsync(producer, topic, 0, Records);
        }

        IPartitionAssignor strategy = assignor == "range" ? new RangeAssignor() : new CooperativeStickyAssignor();
        Action<ConsumerOptions> options = o =>
        {
            o.PartitionAssignors = [strategy];
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
        };
        var seen = new ConcurrentDictionary<string, int>();
        await using var first = new KafkaConsumer<string, string>(TestHelpers.Consumer(Silo, group, options));
        first.Subscribe([topic]);
        using var stop = new CancellationTokenSource();

        // Slow enough that the backlog outlasts the rebalance, so records are being handed out while it happens.
        Task firstLoop = RunAsync(first, seen, stop.Token, pauseEvery: 20);
        await WaitUntilAsync(() => seen.Count >= 1000, "the first member is into its backlog");

        await using var second = new KafkaConsumer<string, string>(TestHelpers.Consumer(Silo, group, options));
        second.Subscribe([topic]);
        Task secondLoop = RunAsync(second, seen, stop.Token, pauseEvery: 20);
        await WaitUntilAsync(() => second.Assignment.Count > 0, "the second member gets partitions");
        Assert.True(seen.Count < Records, "the backlog ran out before the rebalance; the test proves nothing");

        await WaitUntilAsync(() => seen.Count == Records, "every record is consumed");
        await Task.Delay(500); // a record handed out twice would show up in this time
        stop.Cancel();
        await Task.WhenAll(firstLoop, secondLoop);
        List<string> twice = seen.Where(kv => kv.Value > 1).Select(kv => kv.Key).Take(5).ToList();
        Assert.True(twice.Count == 0, $"records consumed more than once, e.g. {string.Join(", ", twice)}");
        Assert.Equal(Records, seen.Count);
    }

    private static async Task ProduceAsync(KafkaProducer<string, string> producer, string topic, int from, int count)
    {
        for (int i = from; i < from + count; i++)
        {
            await producer.EnqueueAsync(topic, $"key-{i}", $"value-{i}");
        }

        await producer.FlushAsync();
    }

    private static Task RunAsync(KafkaConsumer<string, string> consumer, ConcurrentDictionary<string, int> seen, CancellationToken stop, int pauseEvery = 0) => Task.Run(async () =>
    {
        try
        {
            long handled = 0;
            await foreach (ConsumeResult<string, string> record in consumer.ConsumeAsync(stop))
            {
                seen.AddOrUpdate(record.Value, 1, (_, n) => n + 1);
                if (pauseEvery > 0 && ++handled % pauseEvery == 0)
                {
                    await Task.Delay(1, stop);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    });

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (int i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition(), $"timed out waiting until {what}");
    }
}
