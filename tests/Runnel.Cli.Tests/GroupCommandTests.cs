using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cli.Tests;

/// <summary><c>runnel group ...</c> and <c>consume --group</c>: members, committed offsets, lag, seek and delete.</summary>
[Collection(SiloCollection.Name)]
public sealed class GroupCommandTests(SiloFixture fixture)
{
    private SiloProcess Silo => fixture.Silo;

    [Fact]
    public async Task A_group_is_described_with_lag_sought_and_deleted_and_refused_while_it_has_members()
    {
        string topic = TestData.UniqueTopic("cli-group");
        string group = "g-" + topic;
        await CliRunner.JsonAsync(Silo, "topic", "create", topic, "--partitions", "2");
        (await CliRunner.RunAsync(Silo, ["produce", topic, "--partition", "0"], "a\nb\nc\nd\n")).EnsureSuccess();
        (await CliRunner.RunAsync(Silo, ["produce", topic, "--partition", "1"], "e\nf\n")).EnsureSuccess();

        Assert.Equal(6, (await CliRunner.JsonLinesAsync(Silo, "consume", topic, "--group", group)).Count);
        Assert.Empty(await CliRunner.JsonLinesAsync(Silo, "consume", topic, "--group", group));
        Assert.Contains((await CliRunner.JsonAsync(Silo, "group", "list")).EnumerateArray(), g => g.GetProperty("groupId").GetString() == group);
        Assert.Equal([(4L, 4L, 0L), (2, 2, 0)], Offsets(await CliRunner.JsonAsync(Silo, "group", "describe", group)));

        JsonElement sought = await CliRunner.JsonAsync(Silo, "group", "seek", group, "--topic", topic, "--to", "earliest");
        Assert.Equal([0L, 0L], sought.GetProperty("offsets").EnumerateArray().Select(o => o.GetProperty("offset").GetInt64()));
        await CliRunner.JsonAsync(Silo, "group", "seek", group, "--topic", topic, "--partition", "0", "--to", "3");
        JsonElement described = await CliRunner.JsonAsync(Silo, "group", "describe", group);
        Assert.Equal([(3L, 4L, 1L), (0, 2, 2)], Offsets(described));
        Assert.Equal(3, described.GetProperty("totalLag").GetInt64());
        Assert.Equal(["d", "e", "f"], (await CliRunner.JsonLinesAsync(Silo, "consume", topic, "--group", group)).Select(r => r.GetProperty("value").GetString()).Order());
        await CliRunner.JsonAsync(Silo, "group", "seek", group, "--to", "2020-01-01T00:00:00Z");
        Assert.Equal([(0L, 4L, 4L), (0, 2, 2)], Offsets(await CliRunner.JsonAsync(Silo, "group", "describe", group)));

        (await CliRunner.RunAsync(Silo, ["group", "seek", group, "--topic", topic, "--to", "9"])).AssertFails(1, "OFFSET_OUT_OF_RANGE");
        (await CliRunner.RunAsync(Silo, ["group", "seek", group, "--topic", topic, "--to", "yesterday"])).AssertFails(2, "USAGE");
        (await CliRunner.RunAsync(Silo, ["group", "seek", group, "--partition", "0", "--to", "1"])).AssertFails(2, "USAGE");
        (await CliRunner.RunAsync(Silo, ["group", "seek", group, "--topic", topic, "--partition", "4", "--to", "1"])).AssertFails(1, "UNKNOWN_TOPIC_OR_PARTITION");

        using (RunningProcess member = CliRunner.Start(Silo, ["consume", topic, "--group", group, "--follow"]))
        {
            Assert.True(await member.WaitForLineAsync(_ => member.StdoutLines.Count >= 6, TimeSpan.FromSeconds(30)), "the member consumed the six records");
            JsonElement live = await CliRunner.JsonAsync(Silo, "group", "describe", group);
            JsonElement only = Assert.Single(live.GetProperty("members").EnumerateArray());
            Assert.Equal(2, only.GetProperty("assignment").GetArrayLength());
            Assert.Equal("runnel-cli", only.GetProperty("clientId").GetString());

            ProcessResult refused = (await CliRunner.RunAsync(Silo, ["group", "seek", group, "--topic", topic, "--to", "earliest"])).AssertFails(1, "NON_EMPTY_GROUP");
            Assert.Contains("hint: stop the group's consumers first", refused.Stderr, StringComparison.Ordinal);
            (await CliRunner.RunAsync(Silo, ["group", "delete", group])).AssertFails(1, "NON_EMPTY_GROUP");

            // Ctrl+C: the member commits what it printed and leaves the group (bounded generously: with every test project
            // running at once on two cores, commit and LeaveGroup took more than 30 s once).
            (await RunningProcess.RunAsync("kill", ["-INT", member.ProcessId.ToString(CultureInfo.InvariantCulture)])).EnsureSuccess();
            Assert.Equal(0, (await member.WaitForExitAsync(TimeSpan.FromSeconds(90))).ExitCode);
        }

        JsonElement after = await CliRunner.JsonAsync(Silo, "group", "describe", group);
        Assert.Empty(after.GetProperty("members").EnumerateArray());
        Assert.Equal([(4L, 4L, 0L), (2, 2, 0)], Offsets(after));

        await CliRunner.JsonAsync(Silo, "group", "delete", group);
        Assert.DoesNotContain((await CliRunner.JsonAsync(Silo, "group", "list")).EnumerateArray(), g => g.GetProperty("groupId").GetString() == group);
        (await CliRunner.RunAsync(Silo, ["group", "delete", group])).AssertFails(1, "GROUP_ID_NOT_FOUND");
    }

    private static List<(long Committed, long End, long Lag)> Offsets(JsonElement described) =>
        [.. described.GetProperty("offsets").EnumerateArray().OrderBy(o => o.GetProperty("partition").GetInt32())
            .Select(o => (o.GetProperty("committedOffset").GetInt64(), o.GetProperty("endOffset").GetInt64(), o.GetProperty("lag").GetInt64()))];
}
