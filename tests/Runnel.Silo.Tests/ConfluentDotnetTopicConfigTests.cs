using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Tests.Infrastructure;
using Runnel.Silo.Tests.Protocol;

namespace Runnel.Silo.Tests;

/// <summary>
/// Each class of Kafka topic config (applied, accepted without effect, deprecated, refused with a reason, unknown)
/// through Confluent.Kafka's CreateTopics, AlterConfigs and IncrementalAlterConfigs; APPEND and SUBTRACT on list
/// configs; malformed operations on a raw connection.
/// </summary>
public sealed class ConfluentDotnetTopicConfigTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private readonly SiloProcess _silo = fixture.Silo;

    public static TheoryData<string, string, string?> Cases => new()
    {
        { "retention.ms", "3600000", null },                      // applied
        { "compression.type", "zstd", null },                     // applied (recompression)
        { "delete.retention.ms", "3600000", null },               // accepted, no effect (compaction tuning)
        { "leader.replication.throttled.replicas", "*", null },   // accepted, no effect (no throttle rate)
        { "message.format.version", "2.8", null },                // deprecated, accepted
        { "message.timestamp.type", "LogAppendTime", "LogAppendTime (the broker's clock in every batch) is not built yet" },
        { "cleanup.policy", "compact", "log compaction" },
        { "flush.messages", "1", "not by message count" },
        { "compression.type", "brotli", "Invalid value 'brotli' for compression.type" },
        { "retention.ms", "soon", "Invalid value 'soon' for retention.ms" },
        { "log.retention.hours", "1", "Unknown topic config 'log.retention.hours'" }, // a broker config, not a topic one
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task CreateTopics_takes_or_refuses_each_config_class(string name, string value, string? refusal)
    {
        using IAdminClient admin = Admin();
        string topic = TestData.UniqueTopic("cfg-create");
        Task create = admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1, Configs = new() { [name] = value } }]);
        if (refusal is null)
        {
            await create;
            await AssertOverrideAsync(admin, topic, name, value);
            return;
        }

        var refused = await Assert.ThrowsAsync<CreateTopicsException>(() => create);
        AssertInvalidConfig(refused.Results[0].Error, refusal);
        // All topics: asking for this one by name would let the silo auto-create it.
        Assert.DoesNotContain(admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic == topic);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AlterConfigs_takes_or_refuses_each_config_class(string name, string value, string? refusal)
    {
        using IAdminClient admin = Admin();
        string topic = await CreateTopicAsync(admin, "cfg-alter", ("retention.bytes", "123456"));
        var alter = new Dictionary<ConfigResource, List<ConfigEntry>> { [Resource(topic)] = [new ConfigEntry { Name = name, Value = value }] };
#pragma warning disable CS0618 // the legacy AlterConfigs is what is under test
        Task altering = admin.AlterConfigsAsync(alter);
#pragma warning restore CS0618
        if (refusal is null)
        {
            await altering;
            await AssertOverrideAsync(admin, topic, name, value);
            Assert.True((await DescribeAsync(admin, topic))["retention.bytes"].IsDefault, "AlterConfigs replaces every override");
            return;
        }

        var refused = await Assert.ThrowsAsync<AlterConfigsException>(() => altering);
        AssertInvalidConfig(refused.Results[0].Error, refusal);
        Assert.Equal("123456", (await DescribeAsync(admin, topic))["retention.bytes"].Value);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task IncrementalAlterConfigs_takes_or_refuses_each_config_class(string name, string value, string? refusal)
    {
        using IAdminClient admin = Admin();
        string topic = await CreateTopicAsync(admin, "cfg-incr");
        Task altering = admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [Resource(topic)] =
            [
                new ConfigEntry { Name = "retention.bytes", Value = "654321", IncrementalOperation = AlterConfigOpType.Set },
                new ConfigEntry { Name = name, Value = value, IncrementalOperation = AlterConfigOpType.Set },
            ],
        });
        if (refusal is null)
        {
            await altering;
            await AssertOverrideAsync(admin, topic, name, value);
            return;
        }

        var refused = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => altering);
        AssertInvalidConfig(refused.Results[0].Error, refusal);
        Assert.True((await DescribeAsync(admin, topic))["retention.bytes"].IsDefault, "a refused change applies nothing");
    }

    [Fact]
    public async Task Append_and_subtract_change_list_configs_and_refuse_other_types()
    {
        using IAdminClient admin = Admin();
        string topic = await CreateTopicAsync(admin, "cfg-list");
        await IncrementalAsync(admin, topic, ("leader.replication.throttled.replicas", "0:1,1:1", AlterConfigOpType.Append));
        await IncrementalAsync(admin, topic, ("leader.replication.throttled.replicas", "1:1,2:1", AlterConfigOpType.Append), ("cleanup.policy", "delete", AlterConfigOpType.Append));
        Assert.Equal("0:1,1:1,2:1", (await DescribeAsync(admin, topic))["leader.replication.throttled.replicas"].Value);
        await IncrementalAsync(admin, topic, ("leader.replication.throttled.replicas", "0:1", AlterConfigOpType.Subtract));
        Dictionary<string, ConfigEntryResult> configs = await DescribeAsync(admin, topic);
        Assert.Equal("1:1,2:1", configs["leader.replication.throttled.replicas"].Value);
        Assert.Equal("delete", configs["cleanup.policy"].Value);

        var compact = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => IncrementalAsync(admin, topic, ("cleanup.policy", "compact", AlterConfigOpType.Append)));
        AssertInvalidConfig(compact.Results[0].Error, "cleanup.policy=compact is not supported yet");
        var empty = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => IncrementalAsync(admin, topic, ("cleanup.policy", "delete", AlterConfigOpType.Subtract)));
        AssertInvalidConfig(empty.Results[0].Error, "cleanup.policy needs a policy");
        var scalar = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => IncrementalAsync(admin, topic, ("retention.ms", "1000", AlterConfigOpType.Append)));
        AssertInvalidConfig(scalar.Results[0].Error, "APPEND applies to list configs only");
        Assert.Equal("1:1,2:1", (await DescribeAsync(admin, topic))["leader.replication.throttled.replicas"].Value);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    [InlineData(127)]
    public async Task Unknown_operation_codes_get_invalid_request_and_change_nothing(sbyte operation)
    {
        using IAdminClient admin = Admin();
        string topic = await CreateTopicAsync(admin, "cfg-badop");
        var request = new IncrementalAlterConfigsRequest();
        var resource = new IncrementalAlterConfigsRequest.AlterConfigsResource { ResourceType = 2, ResourceName = topic };
        resource.Configs.Add(new() { Name = "retention.ms", ConfigOperation = 0, Value = "1000" });
        resource.Configs.Add(new() { Name = "retention.bytes", ConfigOperation = operation, Value = "1000" });
        request.Resources.Add(resource);

        await using var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
        var response = await GeneratedMessageClient.SendAsync<IncrementalAlterConfigsResponse>(connection, ApiKey.IncrementalAlterConfigs, 1, request);

        var result = Assert.Single(response.Responses);
        Assert.Equal((short)Runnel.Protocol.ErrorCode.InvalidRequest, result.ErrorCode);
        Assert.Contains($"Config operation {operation} on 'retention.bytes' is unknown", result.ErrorMessage, StringComparison.Ordinal);
        Assert.True((await DescribeAsync(admin, topic))["retention.ms"].IsDefault);
    }

    [Fact]
    public async Task DescribeConfigs_lists_every_kafka_topic_config_with_source_and_default_synonym()
    {
        using IAdminClient admin = Admin();
        string topic = await CreateTopicAsync(admin, "cfg-describe", ("message.format.version", "3.0-IV1"), ("retention.ms", "60000"));
        Dictionary<string, ConfigEntryResult> configs = await DescribeAsync(admin, topic);
        Assert.Equal(36, configs.Count);
        Assert.Equal((ConfigSource.DynamicTopicConfig, false), (configs["retention.ms"].Source, configs["retention.ms"].IsDefault));
        Assert.Equal(["60000", "604800000"], configs["retention.ms"].Synonyms.Select(s => s.Value));
        Assert.Equal(ConfigSource.DefaultConfig, configs["segment.jitter.ms"].Source);
        Assert.Equal(ConfigSource.DynamicTopicConfig, configs["message.format.version"].Source);
        Assert.True(configs["message.timestamp.type"].IsReadOnly);
        Assert.False(configs["delete.retention.ms"].IsReadOnly);
    }

    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _silo.BootstrapServers }).Build();

    private static ConfigResource Resource(string topic) => new() { Type = ResourceType.Topic, Name = topic };

    private static async Task<string> CreateTopicAsync(IAdminClient admin, string prefix, params (string Name, string Value)[] configs)
    {
        string topic = TestData.UniqueTopic(prefix);
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic, NumPartitions = 1, ReplicationFactor = 1, Configs = configs.ToDictionary(c => c.Name, c => c.Value),
        }]);
        return topic;
    }

    private static Task IncrementalAsync(IAdminClient admin, string topic, params (string Name, string Value, AlterConfigOpType Operation)[] changes) =>
        admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [Resource(topic)] = [.. changes.Select(c => new ConfigEntry { Name = c.Name, Value = c.Value, IncrementalOperation = c.Operation })],
        });

    private static async Task<Dictionary<string, ConfigEntryResult>> DescribeAsync(IAdminClient admin, string topic) =>
        Assert.Single(await admin.DescribeConfigsAsync([Resource(topic)], new DescribeConfigsOptions { RequestTimeout = TimeSpan.FromSeconds(30) })).Entries;

    private static async Task AssertOverrideAsync(IAdminClient admin, string topic, string name, string value)
    {
        ConfigEntryResult entry = (await DescribeAsync(admin, topic))[name];
        Assert.Equal((value, false, ConfigSource.DynamicTopicConfig), (entry.Value, entry.IsDefault, entry.Source));
    }

    private static void AssertInvalidConfig(Error error, string reason)
    {
        Assert.Equal(Confluent.Kafka.ErrorCode.InvalidConfig, error.Code);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }
}
