using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cli.Tests;

/// <summary><c>runnel perf produce|consume</c>: the records really go through, and the figures are consistent.</summary>
[Collection(SiloCollection.Name)]
public sealed class PerfCommandTests(SiloFixture fixture)
{
    private SiloProcess Silo => fixture.Silo;

    [Fact]
    public async Task Perf_produce_and_consume_report_rates_and_latency_percentiles_of_the_records_written()
    {
        string topic = TestData.UniqueTopic("cli-perf");
        await CliRunner.JsonAsync(Silo, "topic", "create", topic, "--partitions", "2");
        JsonElement produced = await CliRunner.JsonAsync(Silo, "perf", "produce", topic, "--num-records", "5000", "--record-size", "200");
        Assert.Equal(5000, produced.GetProperty("records").GetInt64());
        Assert.Equal(1_000_000, produced.GetProperty("bytes").GetInt64());
        Assert.True(produced.GetProperty("recordsPerSecond").GetDouble() > 0);
        JsonElement latency = produced.GetProperty("latencyMs");
        double[] ordered = [.. new[] { "p50", "p95", "p99", "p999", "max" }.Select(p => latency.GetProperty(p).GetDouble())];
        Assert.Equal(ordered.Order(), ordered);
        Assert.True(ordered[0] > 0);

        JsonElement partitions = (await CliRunner.JsonAsync(Silo, "topic", "describe", topic)).GetProperty("partitions");
        Assert.Equal(5000, partitions.EnumerateArray().Sum(p => p.GetProperty("records").GetInt64()));

        JsonElement consumed = await CliRunner.JsonAsync(Silo, "perf", "consume", topic);
        Assert.Equal(5000, consumed.GetProperty("records").GetInt64());
        Assert.Equal(1_000_000, consumed.GetProperty("bytes").GetInt64());

        ProcessResult human = (await CliRunner.RunAsync(Silo, ["perf", "consume", topic, "--num-records", "1000"])).EnsureSuccess();
        Assert.Matches(@"^consume: 1000 records in [0-9.]+ s, [0-9]+ records/sec \([0-9.]+ MB/sec\)$", Assert.Single(human.StdoutLines));
        (await CliRunner.RunAsync(Silo, ["perf", "produce", topic, "--record-size", "0"])).AssertFails(2, "USAGE");
    }

    [Fact]
    public async Task A_throttled_run_keeps_its_rate_and_shows_live_progress_on_stderr()
    {
        string topic = TestData.UniqueTopic("cli-perf-rate");
        ProcessResult result = (await CliRunner.RunAsync(Silo, ["perf", "produce", topic, "--num-records", "3000", "--throughput", "1500", "--output", "json"])).EnsureSuccess();
        JsonElement produced = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(3000, produced.GetProperty("records").GetInt64());
        Assert.InRange(produced.GetProperty("seconds").GetDouble(), 1.9, 30);
        Assert.Matches(@"produce: [0-9,]+ records, [0-9,]+ records/s, [0-9.]+ MB/s", result.Stderr);
    }

    [Fact]
    public async Task On_a_terminal_the_live_display_is_a_spectre_progress_bar()
    {
        // script(1) gives the tool a pseudo-terminal, as a person's shell would.
        string topic = TestData.UniqueTopic("cli-perf-tty");
        string command = $"dotnet {CliRunner.Dll} --brokers {Silo.BootstrapServers} perf produce {topic} --num-records 2000 --throughput 2000";
        ProcessResult result = (await RunningProcess.RunAsync("script", ["-qec", command, "/dev/null"], timeout: TimeSpan.FromSeconds(60),
            environment: new Dictionary<string, string?> { ["TERM"] = "xterm-256color", ["RUNNEL_BROKERS"] = null })).EnsureSuccess();
        Assert.Contains("100%", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\u001b[", result.Stdout, StringComparison.Ordinal); // ANSI: redrawn in place, not one line a second
        Assert.Matches(@"produce: 2000 records in [0-9.]+ s, [0-9]+ records/sec", result.Stdout);
    }
}
