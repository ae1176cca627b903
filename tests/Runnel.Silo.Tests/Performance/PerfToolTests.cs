using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Performance;

/// <summary>runnel-perf (tests/Runnel.Perf) as a process against a real silo: what it reports, how it reads its options, and its answer to a bad command line or --help.</summary>
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

    [Fact]
    public async Task Negative_acks_a_codec_in_any_case_digit_groups_and_false_are_read_as_given()
    {
        string topic = TestData.UniqueTopic("perf-values");
        ProcessResult produce = await RunAsync("kafka", "produce", "--bootstrap", fixture.Silo.BootstrapServers, "--topic", topic,
            "--num-records", "2_000", "--acks", "-1", "--compression", "ZSTD", "--throughput", "-1");
        ProcessResult consume = await RunAsync("kafka", "consume", "--bootstrap", fixture.Silo.BootstrapServers, "--topic", topic,
            "--num-records", "2000", "--create", "false", "--check-crcs", "true");

        Assert.True(produce.ExitCode == 0, produce.Describe());
        Assert.Contains(produce.StdoutLines, l => l.StartsWith("RESULT label=produce records=2000 ", StringComparison.Ordinal) && l.Split(' ').Contains("errors=0"));
        string summary = Assert.Single(produce.StdoutLines, l => l.StartsWith("# kafka produce ", StringComparison.Ordinal));
        Assert.Contains(" num-records=2_000 acks=-1 compression=ZSTD ", summary, StringComparison.Ordinal); // the options as given
        Assert.True(consume.ExitCode == 0, consume.Describe());
        Assert.Contains(consume.StdoutLines, l => l.StartsWith("RESULT label=consume records=2000 ", StringComparison.Ordinal) && l.Split(' ').Contains("errors=0"));
    }

    [Theory]
    [InlineData("--num-records", "many", "Option '--num-records' takes a whole number of at least 1, not 'many'.")]
    [InlineData("--num-records", "0", "Option '--num-records' takes a whole number of at least 1, not '0'.")]
    [InlineData("--record-size", "99999999999", "Option '--record-size' takes a whole number from 8 to 104857600, not '99999999999'.")]
    [InlineData("--linger-ms", "NaN", "Option '--linger-ms' takes a number from 0 to 3600000, not 'NaN'.")]
    [InlineData("--throughput", "0", "Option '--throughput' takes a number of records per second above 0, or -1 for no limit, not '0'.")]
    [InlineData("--acks", "2", "Option '--acks' takes -1, 0 or 1, not '2'.")]
    [InlineData("--compression", "brotli", "Option '--compression' takes none, gzip, snappy, lz4 or zstd, not 'brotli'.")]
    [InlineData("--create", "maybe", "Option '--create' takes true or false (--create true).")]
    [InlineData("--timeout-s", "-5", "Option '--timeout-s' takes a number of seconds above 0, at most 2000000, not '-5'.")]
    public async Task A_bad_option_value_is_named_and_nothing_runs(string option, string value, string error)
    {
        string topic = TestData.UniqueTopic("perf-bad");
        ProcessResult run = await RunAsync("kafka", "produce", "--bootstrap", fixture.Silo.BootstrapServers, "--topic", topic, option, value);

        AssertRefused(run, error);
    }

    [Theory]
    [InlineData(new[] { "kafka" }, "Required command was not provided.")]
    [InlineData(new[] { "kafka", "replay" }, "Unrecognized command or argument 'replay'.")]
    [InlineData(new[] { "redis", "produce" }, "Unrecognized command or argument 'produce'.")] // redis-benchmark produces
    [InlineData(new[] { "kafka", "produce", "topic" }, "Unrecognized command or argument 'topic'.")]
    [InlineData(new[] { "kafka", "produce", "--frobnicate", "1" }, "Unrecognized command or argument '--frobnicate'.")]
    [InlineData(new[] { "nats", "produce", "--bootstrap", "127.0.0.1:9092" }, "Unrecognized command or argument '--bootstrap'.")]
    [InlineData(new[] { "kafka", "produce", "--topic" }, "Required argument missing for option: '--topic'.")]
    [InlineData(new[] { "kafka", "produce", "--topic", "--num-records", "5" }, "Option '--topic' takes a non-empty value, and no value was given before '--num-records'.")]
    [InlineData(new[] { "kafka", "produce", "--create" }, "Option '--create' takes true or false (--create true).")]
    [InlineData(new[] { "kafka", "produce", "--bootstrap", "localhost:x" }, "Option '--bootstrap' takes host:port, not 'localhost:x'.")]
    [InlineData(new[] { "kafka", "produce", "--num-records", "1", "--num-records", "2" }, "Option '--num-records' expects a single argument but 2 were provided.")]
    [InlineData(new[] { "kafka", "delete" }, "Option '--topic' is required.")]
    [InlineData(new[] { "nats", "produce", "--storage", "disk" }, "Option '--storage' takes file or memory, not 'disk'.")]
    [InlineData(new[] { "redis", "consume", "--port", "65536" }, "Option '--port' takes a whole number from 1 to 65535, not '65536'.")]
    public async Task A_malformed_command_line_is_one_line_naming_the_problem(string[] arguments, string error)
    {
        ProcessResult run = await RunAsync(arguments);

        AssertRefused(run, error);
    }

    [Theory]
    [InlineData(new[] { "--help" }, new[] { "kafka", "redis", "nats", "--timeout-s" })]
    [InlineData(new[] { "kafka", "--help" }, new[] { "produce", "consume", "e2e", "delete" })]
    [InlineData(new[] { "kafka", "produce", "--help" }, new[] { "--bootstrap", "--topic", "--num-records", "--record-size", "--acks", "--batch-size", "--warmup-records", "--timeline" })]
    [InlineData(new[] { "kafka", "consume", "-h" }, new[] { "--create", "--fetch-size", "--check-crcs", "--timeout-s" })]
    [InlineData(new[] { "redis", "consume", "--help" }, new[] { "--port", "--key", "--count" })]
    [InlineData(new[] { "nats", "produce", "--help" }, new[] { "--port", "--window", "--storage" })]
    public async Task Help_prints_usage_and_exits_0(string[] arguments, string[] listed)
    {
        ProcessResult run = await RunAsync(arguments);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("Usage:", run.Stdout, StringComparison.Ordinal);
        Assert.All(listed, name => Assert.Contains(name, run.Stdout, StringComparison.Ordinal));
        Assert.Equal(string.Empty, run.Stderr.Trim());
    }

    /// <summary>Exit code 2, nothing on stdout, and one line on stderr with the error: a message, not a stack trace.</summary>
    private static void AssertRefused(ProcessResult run, string error)
    {
        Assert.True(run.ExitCode == 2, run.Describe());
        Assert.Empty(run.StdoutLines);
        Assert.Equal($"runnel-perf: {error} (--help lists every option)", run.Stderr.Trim());
    }

    private static Task<ProcessResult> RunAsync(params string[] arguments) =>
        RunningProcess.RunAsync("dotnet", [Tool, .. arguments], timeout: TimeSpan.FromSeconds(90));
}
