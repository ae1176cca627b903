using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Groups;

/// <summary>Committed offsets live in the offsets topic: a silo killed with SIGKILL comes back with them, and a consumer resumes there.</summary>
public sealed class OffsetDurabilityTests
{
    [Fact]
    public async Task CommittedOffsetsSurviveASiloRestartAndAConsumerResumesFromThem()
    {
        using var silo = await SiloProcess.StartNewAsync();
        var topic = TestData.UniqueTopic("durable-offsets");
        var group = TestData.UniqueTopic("durable-group");
        await using (var c = await RawKafkaConnection.ConnectAsync(silo.KafkaPort))
        {
            await c.CreateTopicOrFailAsync(topic, 3);
            await ProduceAsync(c, topic, 0, 10);
        }

        // First life: a consumer reads all 30 records and commits them.
        using (var first = GroupMembers.Start("confluent-kafka", silo, topic, group, "first", 6000))
        {
            await GroupView.WaitForAsync(silo, group, v => v.Committed.Count == 3 && v.Committed.Values.All(o => o == 10), TimeSpan.FromSeconds(60), "offsets 10 committed on all partitions");
            Assert.Equal(30, GroupMembers.Records(first.StdoutLines).Count);
        }

        silo.KillHard();
        await silo.StartAsync();

        var view = await GroupView.GetAsync(silo, group);
        Assert.NotNull(view);
        Assert.Equal("Empty", view.State);
        Assert.Equal([10L, 10L, 10L], Enumerable.Range(0, 3).Select(p => view.Committed[p]));
        await using (var c = await RawKafkaConnection.ConnectAsync(silo.KafkaPort))
        {
            var fetched = await GroupWire.FetchOffsetAsync(c, group, topic, 1);
            Assert.Equal((short)0, fetched.ErrorCode);
            Assert.Equal(10, fetched.Offset);
            await ProduceAsync(c, topic, 10, 5);
        }

        // Second life: a new consumer of the same group reads only what came after the commits.
        using var second = GroupMembers.Start("kafka-python", silo, topic, group, "second", 6000);
        await GroupView.WaitForAsync(silo, group, v => v.Committed.Count == 3 && v.Committed.Values.All(o => o == 15), TimeSpan.FromSeconds(60), "offsets 15 committed on all partitions");
        var resumed = GroupMembers.Records(second.StdoutLines);
        Assert.True(resumed.Count == 15 && resumed.All(r => r.Offset >= 10),
            $"the resumed consumer read {resumed.Count} records (15 expected, all at offsets 10..14): " + string.Join(", ", resumed.Select(r => $"{r.Partition}@{r.Offset}")));
    }

    private static async Task ProduceAsync(RawKafkaConnection c, string topic, int first, int perPartition)
    {
        for (int p = 0; p < 3; p++)
        {
            var records = Enumerable.Range(first, perPartition).Select(i => new TestRecord($"k{i}", $"p{p}-v{i}", [])).ToList();
            var result = await c.ProduceWhenReadyAsync(topic, p, RecordBatchBuilder.Build(records, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            Assert.Equal(0, result.ErrorCode);
        }
    }
}
