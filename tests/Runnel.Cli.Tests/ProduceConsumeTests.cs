using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cli.Tests;

/// <summary><c>runnel produce</c> and <c>runnel consume</c>: keys, headers, formats, start positions, limits and follow.</summary>
[Collection(SiloCollection.Name)]
public sealed class ProduceConsumeTests(SiloFixture fixture)
{
    private SiloProcess Silo => fixture.Silo;

    [Fact]
    public async Task Lines_become_records_with_keys_and_headers_and_come_back_as_json_and_as_a_template()
    {
        string topic = TestData.UniqueTopic("cli-pc");
        await CliRunner.JsonAsync(Silo, "topic", "create", topic);
        ProcessResult produced = (await CliRunner.RunAsync(Silo,
            ["produce", topic, "--key-separator", "::", "--header", "source=cli", "--header", "trace=a=b", "--output", "json"],
            "k1::hello\nk2::wörld::x\nno key here\n\n")).EnsureSuccess();
        Assert.Equal(4, JsonDocument.Parse(produced.Stdout).RootElement.GetProperty("records").GetInt32());

        List<JsonElement> records = await CliRunner.JsonLinesAsync(Silo, "consume", topic);
        Assert.Equal(["k1", "k2", null, null], records.Select(r => r.GetProperty("key").GetString()));
        Assert.Equal(["hello", "wörld::x", "no key here", string.Empty], records.Select(r => r.GetProperty("value").GetString()));
        Assert.Equal([0L, 1, 2, 3], records.Select(r => r.GetProperty("offset").GetInt64()));
        Assert.All(records, r => Assert.Equal(
            [("source", "cli"), ("trace", "a=b")],
            r.GetProperty("headers").EnumerateArray().Select(h => (h.GetProperty("key").GetString(), h.GetProperty("value").GetString()))));
        Assert.All(records, r => Assert.InRange(r.GetProperty("timestamp").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

        ProcessResult text = (await CliRunner.RunAsync(Silo, ["consume", topic, "--num", "2", "--format", "{topic}/{partition}@{offset}\\t{key}={value} [{headers}] {{x}}"])).EnsureSuccess();
        Assert.Equal([$"{topic}/0@0\tk1=hello [source=cli,trace=a=b] {{x}}", $"{topic}/0@1\tk2=wörld::x [source=cli,trace=a=b] {{x}}"], text.StdoutLines);
    }

    [Fact]
    public async Task Consume_starts_at_an_offset_a_time_or_the_end_and_reads_chosen_partitions()
    {
        string topic = TestData.UniqueTopic("cli-from");
        await CliRunner.JsonAsync(Silo, "topic", "create", topic, "--partitions", "2");
        string path = Path.Combine(Path.GetTempPath(), $"runnel-cli-{Guid.NewGuid():N}.txt");
        try
        {
            await File.WriteAllTextAsync(path, "a\nb\nc\nd\n");
            (await CliRunner.RunAsync(Silo, ["produce", topic, "--file", path, "--partition", "1", "--compression", "gzip", "--acks", "1"])).EnsureSuccess();
        }
        finally
        {
            File.Delete(path);
        }

        List<JsonElement> fromTwo = await CliRunner.JsonLinesAsync(Silo, "consume", topic, "--partition", "1", "--from", "2");
        Assert.Equal(["c", "d"], fromTwo.Select(r => r.GetProperty("value").GetString()));
        Assert.All(fromTwo, r => Assert.Equal(1, r.GetProperty("partition").GetInt32()));
        Assert.Empty(await CliRunner.JsonLinesAsync(Silo, "consume", topic, "--partition", "0"));
        Assert.Empty(await CliRunner.JsonLinesAsync(Silo, "consume", topic, "--from", "latest"));
        Assert.Equal(4, (await CliRunner.JsonLinesAsync(Silo, "consume", topic, "--from", "2020-01-01T00:00:00Z")).Count);
        string future = "@" + DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        Assert.Empty(await CliRunner.JsonLinesAsync(Silo, "consume", topic, "--from", future));
        Assert.Equal(3, (await CliRunner.JsonLinesAsync(Silo, "consume", topic, "--num", "3")).Count);

        (await CliRunner.RunAsync(Silo, ["consume", topic, "--partition", "1", "--from", "9"])).AssertFails(1, "OFFSET_OUT_OF_RANGE");
        (await CliRunner.RunAsync(Silo, ["consume", topic, "--partition", "5"])).AssertFails(1, "UNKNOWN_TOPIC_OR_PARTITION");
        (await CliRunner.RunAsync(Silo, ["consume", "no-such-" + topic])).AssertFails(1, "UNKNOWN_TOPIC_OR_PARTITION");
        (await CliRunner.RunAsync(Silo, ["consume", "no-such-" + topic, "--group", "g-" + topic])).AssertFails(1, "UNKNOWN_TOPIC_OR_PARTITION");
        (await CliRunner.RunAsync(Silo, ["produce", topic, "--partition", "5"], "x\n")).AssertFails(1, "UNKNOWN_TOPIC_OR_PARTITION");
        Assert.Equal(4, (await CliRunner.JsonLinesAsync(Silo, "consume", topic)).Count);
    }

    [Fact]
    public async Task Follow_waits_for_new_records_until_num()
    {
        string topic = TestData.UniqueTopic("cli-follow");
        await CliRunner.JsonAsync(Silo, "topic", "create", topic);
        using RunningProcess follower = CliRunner.Start(Silo, ["consume", topic, "--follow", "--from", "latest", "--num", "2", "--format", "{key}:{value}"]);

        // The follower starts at the end as it finds it, so produce until it has seen two records (bounded).
        for (int i = 0; i < 30 && !follower.HasExited; i++)
        {
            (await CliRunner.RunAsync(Silo, ["produce", topic, "-K", ":"], $"k{i}:v{i}\n")).EnsureSuccess();
            await follower.WaitForLineAsync(_ => follower.StdoutLines.Count >= 2, TimeSpan.FromSeconds(1));
        }

        ProcessResult result = await follower.WaitForExitAsync(TimeSpan.FromSeconds(30));
        result.EnsureSuccess();
        Assert.Equal(2, result.StdoutLines.Count);
        Assert.All(result.StdoutLines, l => Assert.Matches("^k[0-9]+:v[0-9]+$", l));
    }

    [Theory]
    [InlineData("consume", "--from", "-1")]
    [InlineData("consume", "--from", "soon")]
    [InlineData("consume", "--from", "2026-01-01T00:00:00")]
    [InlineData("consume", "--format", "{value")]
    [InlineData("consume", "--format", "{nope}")]
    [InlineData("consume", "--format", "value}")]
    [InlineData("consume", "--num", "-2")]
    [InlineData("consume", "--partition", "x")]
    [InlineData("consume", "--group", "g", "--partition", "0")]
    [InlineData("consume", "--group", "g", "--from", "3")]
    [InlineData("produce", "--header", "novalue")]
    [InlineData("produce", "--header", "=v")]
    [InlineData("produce", "--partition", "-1")]
    [InlineData("produce", "--compression", "brotli")]
    [InlineData("produce", "--acks", "2")]
    [InlineData("produce", "--key-separator", "")]
    [InlineData("produce", "--file", "/no/such/file.txt")]
    public async Task Malformed_produce_and_consume_arguments_are_usage_errors(string command, params string[] arguments)
    {
        string topic = TestData.UniqueTopic("cli-usage");
        ProcessResult result = await CliRunner.RunAsync(Silo, [command, topic, .. arguments], "x\n");
        result.AssertFails(2, "USAGE");
        Assert.DoesNotContain(result.StdoutLines, l => l.Length > 0);
        Assert.Null(Kcat.PartitionCount(await Kcat.ListAsync(Silo), topic));
    }
}
