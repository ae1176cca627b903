using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Performance;

/// <summary>runnel-perf (tests/Runnel.Perf) as a process against a real silo: what it reports, and its answer to a bad command line.</summary>
public sealed class PerfToolTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private static string Tool => Path.Combine(RepoPaths.Root, "tests", "Runnel.Perf", "bin", RepoPaths.Configuration, "net10.0", "runnel-perf.dll");

    [Fact]
    public async Task An_end_to_end_run_reports_both_sides_and_the_worst_latency_of_each_second()
    {
        string topic = TestData.UniqueTopic("perf-e2e");
        ProcessResult run = await RunAsync("kafka", "e2e", "--bootstrap", fixture.Silo.BootstrapServers, "--topic", topic,
            "--num-records", "30000", "--record-size", "100", "--throughput", "20000", "--linger-ms", "1",
            "--warmup-records", "2000", "--timeline", "true");

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains(run.StdoutLines, l => l.StartsWith("RESULT label=produce records=30000 ", StringComparison.Ordinal) && l.Contains(" errors=0 ", StringComparison.Ordinal));
        Assert.Contains(run.StdoutLines, l => l.StartsWith("RESULT label=consume records=30000 ", StringComparison.Ordinal) && l.Contains(" kind=e2e ", StringComparison.Ordinal));
        string worst = Assert.Single(run.StdoutLines, l => l.StartsWith("consume: worst e2e latency of each second, ms: ", StringComparison.Ordinal));
        string[] seconds = worst[(worst.IndexOf("ms: ", StringComparison.Ordinal) + 4)..].Split(' ');
        Assert.InRange(seconds.Length, 1, 3); // 30,000 records at 20,000/s end in the second second
        Assert.All(seconds, s => Assert.True(double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out double ms) && ms >= 0, worst));
        Assert.Equal(2, run.StdoutLines.Count(l => l.StartsWith("RESULT ", StringComparison.Ordinal))); // the warm-up is not reported
    }

    [Theory]
    [InlineData("--num-records", "many", "--num-records: 'many' is not a whole number")]
    [InlineData("--record-size", "99999999999", "--record-size: 99999999999 is out of range")]
    [InlineData("--linger-ms", "NaN", "--linger-ms: 'NaN' is not a number")]
    [InlineData("--compression", "brotli", "compression 'brotli' is not supported")]
    public async Task A_bad_option_value_is_named_and_nothing_runs(string option, string value, string error)
    {
        string topic = TestData.UniqueTopic("perf-bad");
        ProcessResult run = await RunAsync("kafka", "produce", "--bootstrap", fixture.Silo.BootstrapServers, "--topic", topic, option, value);

        Assert.True(run.ExitCode == 2, run.Describe());
        Assert.Contains(error, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal); // a message, not a stack trace
    }

    [Theory]
    [InlineData(new[] { "kafka" }, "usage: runnel-perf")]
    [InlineData(new[] { "kafka", "produce", "--topic" }, "expected '--name value', got '--topic'")]
    [InlineData(new[] { "kafka", "produce", "topic" }, "expected '--name value', got 'topic'")]
    [InlineData(new[] { "kafka", "replay" }, "unknown system/mode 'kafka replay'")]
    public async Task A_malformed_command_line_gets_usage(string[] arguments, string error)
    {
        ProcessResult run = await RunAsync(arguments);

        Assert.True(run.ExitCode == 2, run.Describe());
        Assert.Contains(error, run.Stderr, StringComparison.Ordinal);
    }

    private static Task<ProcessResult> RunAsync(params string[] arguments) =>
        RunningProcess.RunAsync("dotnet", [Tool, .. arguments], timeout: TimeSpan.FromSeconds(90));
}
