using Microsoft.Extensions.Configuration;
using Runnel.Grains;
using Runnel.Grains.BlobStorage.Azure;
using Runnel.Grains.Groups;
using Runnel.Grains.Tiering;
using Runnel.Silo.Hosting;
using Runnel.Silo.Hosting.CommandLine;
using Runnel.Silo.Kafka;

namespace Runnel.Silo.Tests.Hosting;

public sealed class SiloCommandLineTests
{
    private static string? NoEnvironment(string name) => null;

    [Fact]
    public void Nothing_given_binds_the_documented_defaults()
    {
        IConfiguration configuration = Parse([], NoEnvironment);

        KafkaListenerOptions kafka = Bind<KafkaListenerOptions>(configuration, "Kafka");
        Assert.Equal("127.0.0.1", kafka.Host);
        Assert.Equal(9092, kafka.Port);
        Assert.Equal(100 * 1024 * 1024, kafka.MaxRequestBytes);
        Assert.Equal(9644, Bind<AdminHttpOptions>(configuration, "Http").Port);
        BrokerOptions broker = Bind<BrokerOptions>(configuration, "Broker");
        Assert.Equal(Path.Combine(".data", "silo"), broker.DataPath);
        Assert.True(broker.AutoCreateTopics);
        Assert.Equal(1, broker.DefaultPartitions);
        Assert.True(broker.AcksAllFsync);
        ClusteringOptions clustering = Bind<ClusteringOptions>(configuration, "Clustering");
        Assert.Equal((11111, 30000, "runnel"), (clustering.SiloPort, clustering.GatewayPort, clustering.ClusterId));
        Assert.False(Bind<BrokerOptions>(Parse(["--acks-all-fsync", "false"], NoEnvironment), "Broker").AcksAllFsync);
    }

    [Fact]
    public void Flags_in_both_forms_and_environment_variables_are_read_and_the_command_line_wins()
    {
        var env = new Dictionary<string, string> { ["RUNNEL_PORT"] = "7000", ["RUNNEL_DATA"] = "/tmp/env", ["RUNNEL_NUM_PARTITIONS"] = "3", ["RUNNEL_HOST"] = "127.0.0.2" };
        IConfiguration configuration = Parse(["--port", "7001", "--http-port=7002", "--auto-create-topics", "false"], n => env.GetValueOrDefault(n));

        Assert.Equal(7001, Bind<KafkaListenerOptions>(configuration, "Kafka").Port);
        Assert.Equal(7002, Bind<AdminHttpOptions>(configuration, "Http").Port);
        Assert.Equal("127.0.0.2", Bind<AdminHttpOptions>(configuration, "Http").Host);
        Assert.Equal("127.0.0.2", Bind<KafkaListenerOptions>(configuration, "Kafka").Host);
        BrokerOptions broker = Bind<BrokerOptions>(configuration, "Broker");
        Assert.Equal("/tmp/env", broker.DataPath);
        Assert.Equal(3, broker.DefaultPartitions);
        Assert.False(broker.AutoCreateTopics);
    }

    [Fact]
    public void Durations_given_in_milliseconds_or_minutes_bind_as_time_spans()
    {
        var env = new Dictionary<string, string> { ["RUNNEL_OFFSETS_TOPIC_PARTITIONS"] = "3", ["RUNNEL_GROUP_MIN_SESSION_TIMEOUT_MS"] = "9000" };
        IConfiguration configuration = Parse(["--group-min-session-timeout-ms", "2000", "--offsets-retention-minutes=60", "--tier-interval-ms", "250", "--blob-store", "AZURE"], n => env.GetValueOrDefault(n));

        GroupCoordinatorOptions groups = Bind<GroupCoordinatorOptions>(configuration, "Groups");
        Assert.Equal(2000, groups.MinSessionTimeoutMs);
        Assert.Equal(TimeSpan.FromMinutes(60), groups.OffsetsRetention);
        Assert.Equal(3, groups.OffsetsTopicPartitions);
        Assert.Equal(3000, groups.InitialRebalanceDelayMs);
        Assert.Equal(TimeSpan.FromMilliseconds(250), Bind<TieringOptions>(configuration, "Tiering").Interval);
        Assert.Equal("Azure", configuration["BlobStore:Kind"]);
    }

    [Fact]
    public void Blob_retry_settings_default_to_the_documented_values_and_come_from_flags_or_the_environment()
    {
        var azure = Bind<AzureBlobStoreOptions>(Parse([], NoEnvironment), "BlobStore:Azure");
        Assert.Equal((BlobRetryMode.Exponential, 5), (azure.RetryMode, azure.MaxRetries));
        Assert.Equal((TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(100)), (azure.RetryDelay, azure.RetryMaxDelay, azure.NetworkTimeout));

        var env = new Dictionary<string, string> { ["RUNNEL_BLOB_RETRY_MODE"] = "fixed", ["RUNNEL_BLOB_MAX_RETRIES"] = "9", ["RUNNEL_BLOB_NETWORK_TIMEOUT_MS"] = "7000", ["RUNNEL_BLOB_CONTAINER"] = "events" };
        azure = Bind<AzureBlobStoreOptions>(Parse(["--blob-max-retries", "2", "--blob-retry-delay-ms=50", "--blob-retry-max-delay-ms", "400"], n => env.GetValueOrDefault(n)), "BlobStore:Azure");
        Assert.Equal("events", azure.Container);

        Assert.Equal((BlobRetryMode.Fixed, 2), (azure.RetryMode, azure.MaxRetries));
        Assert.Equal((TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(7)), (azure.RetryDelay, azure.RetryMaxDelay, azure.NetworkTimeout));
    }

    [Theory]
    [InlineData(new[] { "--blob-retry-mode", "linear" }, "exponential or fixed")]
    [InlineData(new[] { "--blob-max-retries", "-1" }, "from 0 to 100")]
    [InlineData(new[] { "--blob-network-timeout-ms", "0" }, "at least 1")]
    [InlineData(new[] { "--group-initial-rebalance-delay-ms", "-5" }, "Option '--group-initial-rebalance-delay-ms' takes a whole number of at least 0, not '-5'.")]
    [InlineData(new[] { "--bogus", "1" }, "'--bogus'")]
    [InlineData(new[] { "--port" }, "--port")]
    [InlineData(new[] { "--port", "70000" }, "from 0 to 65535, not '70000'")]
    [InlineData(new[] { "--port", "abc" }, "not 'abc'")]
    [InlineData(new[] { "--port", "1", "--port", "2" }, "--port")]
    [InlineData(new[] { "--auto-create-topics", "maybe" }, "true or false")]
    [InlineData(new[] { "--num-partitions", "0" }, "from 1 to")]
    [InlineData(new[] { "--blob-store", "s3" }, "local or azure, not 's3'")]
    [InlineData(new[] { "--data", " " }, "a non-empty value")]
    public void Bad_command_lines_get_one_clear_error(string[] args, string expected)
    {
        SiloCommandLineResult result = SiloCommandLine.Parse(args, NoEnvironment);
        Assert.NotNull(result.Error);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Error);
    }

    [Fact]
    public void A_bad_environment_value_names_the_variable_and_the_option_it_sets()
    {
        SiloCommandLineResult result = SiloCommandLine.Parse([], n => n == "RUNNEL_TIER_INTERVAL_MS" ? "soon" : null);
        Assert.Equal("RUNNEL_TIER_INTERVAL_MS takes a whole number of at least 10, not 'soon' (it sets --tier-interval-ms).", result.Error);

        // The command line wins, so a bad variable it overrides is never read.
        Assert.Null(SiloCommandLine.Parse(["--tier-interval-ms", "20"], n => n == "RUNNEL_TIER_INTERVAL_MS" ? "soon" : null).Error);
    }

    [Fact]
    public void Help_lists_every_option_with_its_variable()
    {
        SiloCommandLineResult result = SiloCommandLine.Parse(["--help"], NoEnvironment);
        Assert.NotNull(result.HelpText);
        Assert.Contains("--silo-port", result.HelpText, StringComparison.Ordinal);
        Assert.Contains("[RUNNEL_BLOB_CONNECTION_STRING]", result.HelpText, StringComparison.Ordinal);
    }

    [Fact]
    public void Logged_connection_strings_keep_endpoints_and_hide_keys_and_signatures()
    {
        Assert.Equal("AccountName=a;AccountKey=***;BlobEndpoint=http://127.0.0.1:1/a",
            EffectiveOptions.Redact("AccountName=a;AccountKey=c2VjcmV0;BlobEndpoint=http://127.0.0.1:1/a"));
        Assert.Equal("BlobEndpoint=http://x;SharedAccessSignature=***", EffectiveOptions.Redact("BlobEndpoint=http://x;SharedAccessSignature=sv=2020&sig=abc"));
        Assert.Equal("UseDevelopmentStorage=true", EffectiveOptions.Redact("UseDevelopmentStorage=true"));
    }

    private static IConfiguration Parse(string[] args, Func<string, string?> environment)
    {
        SiloCommandLineResult result = SiloCommandLine.Parse(args, environment);
        Assert.Null(result.Error);
        return new ConfigurationBuilder().AddInMemoryCollection(result.Configuration).Build();
    }

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new() => configuration.GetSection(section).Get<T>() ?? new T();
}
