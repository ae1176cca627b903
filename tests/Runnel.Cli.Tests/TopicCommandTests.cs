using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cli.Tests;

/// <summary><c>runnel topic ...</c> against a real silo, checked through the tool's JSON and through kcat.</summary>
[Collection(SiloCollection.Name)]
public sealed class TopicCommandTests(SiloFixture fixture)
{
    private SiloProcess Silo => fixture.Silo;

    [Fact]
    public async Task A_topic_is_created_described_configured_grown_and_deleted()
    {
        string topic = TestData.UniqueTopic("cli-topic");
        JsonElement created = await CliRunner.JsonAsync(Silo, "topic", "create", topic, "--partitions", "2", "--config", "retention.ms=3600000");
        Assert.Equal(topic, created.GetProperty("created")[0].GetString());

        JsonElement listed = await CliRunner.JsonAsync(Silo, "topic", "list");
        Assert.Equal(2, listed.EnumerateArray().Single(t => t.GetProperty("name").GetString() == topic).GetProperty("partitions").GetInt32());
        Assert.Equal(2, Kcat.PartitionCount(await Kcat.ListAsync(Silo), topic));

        JsonElement described = await CliRunner.JsonAsync(Silo, "topic", "describe", topic);
        Assert.Equal(2, described.GetProperty("partitions").GetArrayLength());
        Assert.Equal("3600000", described.GetProperty("configs").GetProperty("retention.ms").GetProperty("value").GetString());
        Assert.False(described.GetProperty("configs").GetProperty("retention.ms").GetProperty("isDefault").GetBoolean());

        await CliRunner.JsonAsync(Silo, "topic", "alter-config", topic, "--set", "segment.bytes=1048576", "--delete", "retention.ms");
        JsonElement configs = (await CliRunner.JsonAsync(Silo, "topic", "describe", topic)).GetProperty("configs");
        Assert.Equal("1048576", configs.GetProperty("segment.bytes").GetProperty("value").GetString());
        Assert.True(configs.GetProperty("retention.ms").GetProperty("isDefault").GetBoolean());

        await CliRunner.JsonAsync(Silo, "topic", "add-partitions", topic, "--total", "4");
        Assert.Equal(4, Kcat.PartitionCount(await Kcat.ListAsync(Silo), topic));
        (await CliRunner.RunAsync(Silo, ["topic", "add-partitions", topic, "--total", "3"])).AssertFails(1, "INVALID_PARTITIONS");

        ProcessResult table = (await CliRunner.RunAsync(Silo, ["topic", "describe", topic])).EnsureSuccess();
        Assert.Contains("segment.bytes", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("end offset", table.Stdout, StringComparison.Ordinal);

        (await CliRunner.RunAsync(Silo, ["topic", "create", topic])).AssertFails(1, "TOPIC_ALREADY_EXISTS");
        await CliRunner.JsonAsync(Silo, "topic", "delete", topic);
        Assert.Null(Kcat.PartitionCount(await Kcat.ListAsync(Silo), topic));
        (await CliRunner.RunAsync(Silo, ["topic", "describe", topic])).AssertFails(1, "UNKNOWN_TOPIC_OR_PARTITION");
    }

    [Fact]
    public async Task Trim_deletes_records_before_an_offset_per_partition_and_refuses_an_offset_past_the_end()
    {
        string topic = TestData.UniqueTopic("cli-trim");
        await CliRunner.JsonAsync(Silo, "topic", "create", topic, "--partitions", "2");
        string lines = string.Concat(Enumerable.Range(0, 6).Select(i => $"v{i}\n"));
        (await CliRunner.RunAsync(Silo, ["produce", topic, "--partition", "0"], lines)).EnsureSuccess();
        (await CliRunner.RunAsync(Silo, ["produce", topic, "--partition", "1"], lines)).EnsureSuccess();

        ProcessResult pastEnd = (await CliRunner.RunAsync(Silo, ["topic", "trim", topic, "--before", "0=2", "--before", "1=99"])).AssertFails(1, "OFFSET_OUT_OF_RANGE");
        Assert.Contains("hint:", pastEnd.Stderr, StringComparison.Ordinal);
        Assert.All((await CliRunner.JsonAsync(Silo, "topic", "describe", topic)).GetProperty("partitions").EnumerateArray(),
            p => Assert.Equal(0, p.GetProperty("startOffset").GetInt64()));

        JsonElement trimmed = await CliRunner.JsonAsync(Silo, "topic", "trim", topic, "--before", "0=4", "--before", "1=latest");
        Assert.Equal([4L, 6L], trimmed.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("startOffset").GetInt64()));
        List<JsonElement> left = await CliRunner.JsonLinesAsync(Silo, "consume", topic);
        Assert.Equal(["v4", "v5"], left.Select(r => r.GetProperty("value").GetString()));

        (await CliRunner.RunAsync(Silo, ["topic", "trim", topic, "--before", "x=1"])).AssertFails(2, "USAGE");
        (await CliRunner.RunAsync(Silo, ["topic", "trim", topic, "--before", "-3"])).AssertFails(2, "USAGE");
        (await CliRunner.RunAsync(Silo, ["topic", "trim", topic, "--before", "7=1"])).AssertFails(1, "UNKNOWN_TOPIC_OR_PARTITION");
        (await CliRunner.RunAsync(Silo, ["topic", "trim", "no-such-topic-" + topic, "--before", "1"])).AssertFails(1, "UNKNOWN_TOPIC_OR_PARTITION");
    }

    [Fact]
    public async Task Malformed_topic_arguments_are_usage_errors_that_change_nothing()
    {
        string topic = TestData.UniqueTopic("cli-bad");
        (await CliRunner.RunAsync(Silo, ["topic", "create", topic, "--partitions", "0"])).AssertFails(2, "USAGE");
        (await CliRunner.RunAsync(Silo, ["topic", "create", topic, "--partitions", "many"])).AssertFails(2, "USAGE");
        (await CliRunner.RunAsync(Silo, ["topic", "create", topic, "--config", "retention.ms"])).AssertFails(2, "USAGE");
        (await CliRunner.RunAsync(Silo, ["topic", "create"])).AssertFails(2, "USAGE");
        (await CliRunner.RunAsync(Silo, ["topic", "alter-config", topic])).AssertFails(2, "USAGE");
        (await CliRunner.RunAsync(Silo, ["topic", "add-partitions", topic])).AssertFails(2, "USAGE");
        Assert.Null(Kcat.PartitionCount(await Kcat.ListAsync(Silo), topic));
    }
}
