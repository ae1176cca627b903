using Runnel.Grains.Topics;
using Runnel.Records;

namespace Runnel.Grains.Tests;

/// <summary>The catalog of Kafka topic configs: every name known, each class treated as the README says.</summary>
public sealed class TopicConfigCatalogTests
{
    /// <summary>The topic configs of Kafka 3.9 and 4.0 (kafka.apache.org topic config reference), deprecated ones included.</summary>
    private static readonly string[] s_kafkaTopicConfigs =
    [
        "cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type", "compression.zstd.level",
        "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms", "follower.replication.throttled.replicas",
        "index.interval.bytes", "leader.replication.throttled.replicas", "local.retention.bytes", "local.retention.ms",
        "max.compaction.lag.ms", "max.message.bytes", "message.downconversion.enable", "message.format.version",
        "message.timestamp.after.max.ms", "message.timestamp.before.max.ms", "message.timestamp.difference.max.ms",
        "message.timestamp.type", "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas", "preallocate",
        "remote.log.copy.disable", "remote.log.delete.on.disable", "remote.storage.enable", "retention.bytes", "retention.ms",
        "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms", "unclean.leader.election.enable",
    ];

    private static TopicConfigChange Op(string name, string? value, ConfigOperation operation) => new(name, value, operation);

    [Fact]
    public void Every_kafka_topic_config_is_known_sorted_and_its_default_passes_its_own_rule()
    {
        Assert.Equal(s_kafkaTopicConfigs, TopicConfigCatalog.All.Select(d => d.Name));
        Assert.Equal(TopicConfigCatalog.All.Select(d => d.Name).Order(StringComparer.Ordinal), TopicConfigCatalog.All.Select(d => d.Name));
        Assert.All(TopicConfigCatalog.All, d => Assert.Null(d.Validate(d.DefaultValue)));
        Assert.All(TopicConfigCatalog.All, d => Assert.Equal(d.Support == ConfigSupport.DefaultOnly, d.IsReadOnly));
    }

    [Theory]
    [InlineData("delete.retention.ms", "3600000")]
    [InlineData("min.compaction.lag.ms", "1000")]
    [InlineData("max.compaction.lag.ms", "86400000")]
    [InlineData("min.cleanable.dirty.ratio", "0.1")]
    [InlineData("segment.jitter.ms", "5000")]
    [InlineData("index.interval.bytes", "8192")]
    [InlineData("segment.index.bytes", "1048576")]
    [InlineData("file.delete.delay.ms", "0")]
    [InlineData("preallocate", "true")]
    [InlineData("follower.replication.throttled.replicas", "*")]
    [InlineData("message.format.version", "2.8")]
    [InlineData("message.format.version", "0.10.2-IV0")]
    [InlineData("message.format.version", "3.0-IV1")]
    [InlineData("message.downconversion.enable", "false")]
    public void Configs_without_effect_and_deprecated_ones_are_accepted_and_reported(string name, string value)
    {
        Assert.True(TopicConfig.TryCreate([new(name, value)], out TopicConfig? config, out string? error), error);
        TopicConfigEntry entry = config.Describe().Single(e => e.Name == name);
        Assert.Equal((value, false), (entry.Value, entry.IsDefault));
        Assert.Equal(ConfigSupport.NoEffect, entry.Definition.Support);
    }

    [Fact]
    public void Deprecated_configs_are_marked_and_say_so()
    {
        string[] deprecated = [.. TopicConfigCatalog.All.Where(d => d.IsDeprecated).Select(d => d.Name)];
        Assert.Equal(["message.downconversion.enable", "message.format.version", "message.timestamp.difference.max.ms"], deprecated);
        Assert.All(TopicConfigCatalog.All.Where(d => d.IsDeprecated), d => Assert.Contains("Deprecated", d.Documentation, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("producer", null, null)]
    [InlineData("uncompressed", CompressionCodec.None, null)]
    [InlineData("gzip", CompressionCodec.Gzip, null)]
    [InlineData("snappy", CompressionCodec.Snappy, null)]
    [InlineData("lz4", CompressionCodec.Lz4, 9)]
    [InlineData("zstd", CompressionCodec.Zstd, 3)]
    public void Compression_type_names_the_codec_to_store(string type, CompressionCodec? codec, int? level)
    {
        TopicConfig config = TopicConfig.Create([new("compression.type", type)]);
        Assert.Equal((codec, level), (config.RecompressTo, config.RecompressionLevel));
    }

    [Fact]
    public void Compression_levels_follow_kafka_scales()
    {
        Assert.Equal(4, TopicConfig.Create([new("compression.type", "gzip"), new("compression.gzip.level", "4")]).RecompressionLevel);
        Assert.Equal(12, TopicConfig.Create([new("compression.type", "lz4"), new("compression.lz4.level", "17")]).RecompressionLevel);
        Assert.Equal(-5, TopicConfig.Create([new("compression.type", "zstd"), new("compression.zstd.level", "-5")]).RecompressionLevel);
    }

    [Fact]
    public void Append_and_subtract_change_list_items_of_the_current_value()
    {
        const string Throttled = "leader.replication.throttled.replicas";
        Assert.True(TopicConfig.Default.TryApply([Op(Throttled, "0:1,1:1", ConfigOperation.Append)], out TopicConfig? config, out string? error), error);
        Assert.Equal("0:1,1:1", config.GetValue(Throttled));
        Assert.True(config.TryApply([Op(Throttled, "1:1, 2:1", ConfigOperation.Append)], out TopicConfig? appended, out error), error);
        Assert.Equal("0:1,1:1,2:1", appended.GetValue(Throttled));
        Assert.True(appended.TryApply([Op(Throttled, "0:1,5:5", ConfigOperation.Subtract)], out config, out error), error);
        Assert.Equal("1:1,2:1", config.GetValue(Throttled));

        // cleanup.policy: appending what is there keeps it; appending compact or subtracting the last policy is refused.
        Assert.True(config.TryApply([Op("cleanup.policy", "delete", ConfigOperation.Append)], out TopicConfig? same, out error), error);
        Assert.Equal("delete", same.CleanupPolicy);
        Assert.False(config.TryApply([Op("cleanup.policy", "compact", ConfigOperation.Append)], out _, out error));
        Assert.Contains("compact is not supported yet", error, StringComparison.Ordinal);
        Assert.False(config.TryApply([Op("cleanup.policy", "delete", ConfigOperation.Subtract)], out _, out error));
        Assert.Contains("needs a policy", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("retention.ms", "1000", ConfigOperation.Append, "APPEND applies to list configs only; 'retention.ms' is a long")]
    [InlineData("compression.type", "gzip", ConfigOperation.Subtract, "SUBTRACT applies to list configs only")]
    [InlineData("leader.replication.throttled.replicas", null, ConfigOperation.Append, "APPEND of 'leader.replication.throttled.replicas' needs a value")]
    [InlineData("retention.ms", null, ConfigOperation.Set, "SET of 'retention.ms' needs a value")]
    [InlineData("retention.ms", "1", (ConfigOperation)7, "Config operation 7 on 'retention.ms' is unknown")]
    [InlineData("no.such.config", "1", ConfigOperation.Append, "Unknown topic config 'no.such.config'")]
    public void Bad_operations_are_refused_and_change_nothing(string name, string? value, ConfigOperation operation, string message)
    {
        TopicConfig config = TopicConfig.Create([new("retention.ms", "5000")]);
        Assert.False(config.TryApply([Op("retention.bytes", "100", ConfigOperation.Set), Op(name, value, operation)], out _, out string? error));
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Equal((5000L, -1L), (config.RetentionMs, config.RetentionBytes));
    }
}
