using Runnel.Silo.Hosting;

namespace Runnel.Silo.Tests.Hosting;

public sealed class SiloCommandLineTests
{
    private static string? NoEnvironment(string name) => null;

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        SiloOptions options = SiloCommandLine.Parse([], NoEnvironment);

        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(9092, options.Port);
        Assert.Equal(9644, options.HttpPort);
        Assert.Equal(Path.Combine(".data", "silo"), options.DataPath);
        Assert.True(options.AutoCreateTopics);
        Assert.Equal(1, options.DefaultPartitions);
        Assert.Equal(100 * 1024 * 1024, options.MaxRequestBytes);
        Assert.True(options.AcksAllFsync);
        Assert.False(SiloCommandLine.Parse(["--acks-all-fsync", "false"], NoEnvironment).AcksAllFsync);
    }

    [Fact]
    public void Flags_in_both_forms_and_environment_variables_are_read_and_the_command_line_wins()
    {
        var env = new Dictionary<string, string> { ["RUNNEL_PORT"] = "7000", ["RUNNEL_DATA"] = "/tmp/env", ["RUNNEL_NUM_PARTITIONS"] = "3" };
        SiloOptions options = SiloCommandLine.Parse(["--port", "7001", "--http-port=7002", "--auto-create-topics", "false"], n => env.GetValueOrDefault(n));

        Assert.Equal(7001, options.Port);
        Assert.Equal(7002, options.HttpPort);
        Assert.Equal("/tmp/env", options.DataPath);
        Assert.Equal(3, options.DefaultPartitions);
        Assert.False(options.AutoCreateTopics);
    }

    [Fact]
    public void Group_settings_come_from_flags_or_the_environment()
    {
        var env = new Dictionary<string, string> { ["RUNNEL_OFFSETS_TOPIC_PARTITIONS"] = "3", ["RUNNEL_GROUP_MIN_SESSION_TIMEOUT_MS"] = "9000" };
        SiloOptions options = SiloCommandLine.Parse(["--group-min-session-timeout-ms", "2000", "--offsets-retention-minutes=60"], n => env.GetValueOrDefault(n));

        Assert.Equal(2000, options.Groups.MinSessionTimeoutMs);
        Assert.Equal(TimeSpan.FromMinutes(60), options.Groups.OffsetsRetention);
        Assert.Equal(3, options.Groups.OffsetsTopicPartitions);
        Assert.Equal(3000, options.Groups.InitialRebalanceDelayMs);
    }

    [Fact]
    public void Blob_retry_settings_default_to_the_documented_values_and_come_from_flags_or_the_environment()
    {
        SiloOptions defaults = SiloCommandLine.Parse([], NoEnvironment);
        var azure = defaults.ToAzureBlobStoreOptions();
        Assert.Equal((Runnel.Grains.BlobStorage.Azure.BlobRetryMode.Exponential, 5), (azure.RetryMode, azure.MaxRetries));
        Assert.Equal((TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(100)), (azure.RetryDelay, azure.RetryMaxDelay, azure.NetworkTimeout));

        var env = new Dictionary<string, string> { ["RUNNEL_BLOB_RETRY_MODE"] = "fixed", ["RUNNEL_BLOB_MAX_RETRIES"] = "9", ["RUNNEL_BLOB_NETWORK_TIMEOUT_MS"] = "7000" };
        azure = SiloCommandLine.Parse(["--blob-max-retries", "2", "--blob-retry-delay-ms=50", "--blob-retry-max-delay-ms", "400"], n => env.GetValueOrDefault(n)).ToAzureBlobStoreOptions();

        Assert.Equal((Runnel.Grains.BlobStorage.Azure.BlobRetryMode.Fixed, 2), (azure.RetryMode, azure.MaxRetries));
        Assert.Equal((TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(7)), (azure.RetryDelay, azure.RetryMaxDelay, azure.NetworkTimeout));
    }

    [Theory]
    [InlineData(new[] { "--blob-retry-mode", "linear" }, "exponential or fixed")]
    [InlineData(new[] { "--blob-max-retries", "-1" }, "from 0 to 100")]
    [InlineData(new[] { "--blob-network-timeout-ms", "0" }, "from 1 to")]
    [InlineData(new[] { "--group-initial-rebalance-delay-ms", "-5" }, "--group-initial-rebalance-delay-ms (RUNNEL_GROUP_INITIAL_REBALANCE_DELAY_MS) takes a whole number of at least 0")]
    [InlineData(new[] { "--bogus", "1" }, "Unknown option '--bogus'")]
    [InlineData(new[] { "--port" }, "needs a value")]
    [InlineData(new[] { "--port", "70000" }, "from 0 to 65535")]
    [InlineData(new[] { "--port", "abc" }, "not 'abc'")]
    [InlineData(new[] { "--auto-create-topics", "maybe" }, "true or false")]
    [InlineData(new[] { "--num-partitions", "0" }, "from 1 to")]
    public void Bad_input_gets_a_clear_error(string[] args, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => SiloCommandLine.Parse(args, NoEnvironment));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
