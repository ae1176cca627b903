using Runnel.Grains.Storage;
using Runnel.Grains.Topics;

namespace Runnel.Grains.Tests;

public sealed class TopicConfigTests
{
    private static KeyValuePair<string, string?> Set(string name, string? value) => new(name, value);

    [Fact]
    public void Defaults_match_kafka()
    {
        TopicConfig config = TopicConfig.Default;
        Assert.Equal(604_800_000, config.RetentionMs);
        Assert.Equal(-1, config.RetentionBytes);
        Assert.Equal(1_073_741_824, config.SegmentBytes);
        Assert.Equal(604_800_000, config.SegmentMs);
        Assert.Equal(1_048_588, config.MaxMessageBytes);
        Assert.Equal("delete", config.CleanupPolicy);
        Assert.Equal(1, config.MinInsyncReplicas);
        Assert.Equal("producer", config.CompressionType);
        Assert.Equal("CreateTime", config.MessageTimestampType);
    }

    [Fact]
    public void Overrides_are_validated_and_typed()
    {
        TopicConfig config = TopicConfig.Create([Set("retention.ms", "-1"), Set("segment.bytes", "14"), Set("max.message.bytes", " 2000 ")]);
        Assert.Equal(-1, config.RetentionMs);
        Assert.Equal(14, config.SegmentBytes);
        Assert.Equal(2000, config.MaxMessageBytes);
        Assert.Equal(3, config.Overrides.Count);

        LogOptions options = LogOptions.FromTopicConfig(config);
        Assert.Equal(14, options.SegmentBytes);
        Assert.Equal(-1, options.RetentionMs);
    }

    [Theory]
    [InlineData("segment.bytes", "13", "from 14")]
    [InlineData("segment.bytes", "3000000000", "segment.bytes")]
    [InlineData("retention.ms", "-2", "retention.ms")]
    [InlineData("retention.ms", "soon", "retention.ms")]
    [InlineData("segment.ms", "0", "segment.ms")]
    [InlineData("cleanup.policy", "compact", "cleanup.policy=compact is not supported yet: log compaction")]
    [InlineData("cleanup.policy", "delete,compact", "cleanup.policy=compact is not supported yet")]
    [InlineData("cleanup.policy", "shred", "cleanup.policy")]
    [InlineData("cleanup.policy", " , ", "cleanup.policy needs a policy")]
    [InlineData("min.insync.replicas", "2", "min.insync.replicas=2 is not supported: only the default '1' is accepted because each partition has a single replica")]
    [InlineData("min.insync.replicas", "two", "Invalid value 'two' for min.insync.replicas")]
    [InlineData("compression.type", "GZIP", "expected one of uncompressed, zstd, lz4, snappy, gzip, producer")]
    [InlineData("compression.type", "brotli", "Invalid value 'brotli' for compression.type")]
    [InlineData("compression.gzip.level", "0", "from 1 to 9 or -1")]
    [InlineData("compression.lz4.level", "18", "from 1 to 17")]
    [InlineData("compression.zstd.level", "23", "compression.zstd.level")]
    [InlineData("message.timestamp.type", "LogAppendTime", "message.timestamp.type=LogAppendTime is not supported")]
    [InlineData("message.timestamp.type", "WallClock", "expected one of CreateTime, LogAppendTime")]
    [InlineData("message.timestamp.after.max.ms", "3600000", "does not check record timestamps")]
    [InlineData("message.timestamp.difference.max.ms", "60000", "does not check record timestamps")]
    [InlineData("flush.messages", "1", "not by message count")]
    [InlineData("unclean.leader.election.enable", "true", "never elects a leader")]
    [InlineData("remote.log.copy.disable", "true", "remote.storage.enable=false already does that")]
    [InlineData("message.format.version", "latest", "message.format.version")]
    [InlineData("message.format.version", "2", "message.format.version")]
    [InlineData("min.cleanable.dirty.ratio", "1.5", "min.cleanable.dirty.ratio")]
    [InlineData("leader.replication.throttled.replicas", "0:a", "partition:brokerId pairs")]
    [InlineData("preallocate", "yes", "expected true or false")]
    [InlineData("retention.hours", "1", "Unknown topic config 'retention.hours'")]
    public void Invalid_values_and_unknown_names_are_refused_clearly(string name, string value, string message)
    {
        Assert.False(TopicConfig.TryCreate([Set(name, value)], out _, out string? error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_only_configs_accept_their_one_value()
    {
        Assert.True(TopicConfig.TryCreate(
            [Set("min.insync.replicas", "1"), Set("message.timestamp.type", "CreateTime"), Set("flush.messages", "9223372036854775807"),
             Set("unclean.leader.election.enable", "false"), Set("message.timestamp.after.max.ms", "9223372036854775807")],
            out _, out string? error), error);
    }

    [Fact]
    public void Incremental_changes_set_and_remove_overrides_atomically()
    {
        TopicConfig config = TopicConfig.Create([Set("retention.ms", "1000")]);
        Assert.True(config.TryWith([Set("retention.ms", null), Set("retention.bytes", "5000")], out TopicConfig? changed, out _));
        Assert.Equal(604_800_000, changed.RetentionMs);
        Assert.Equal(5000, changed.RetentionBytes);

        Assert.False(config.TryWith([Set("retention.bytes", "5000"), Set("segment.bytes", "1")], out _, out _));
        Assert.Equal(1000, config.RetentionMs); // the original is unchanged
    }

    [Fact]
    public void Describe_lists_every_config_with_source_and_documentation()
    {
        TopicConfig config = TopicConfig.Create([Set("retention.ms", "1000")]);
        List<TopicConfigEntry> entries = [.. config.Describe()];
        Assert.Equal(TopicConfigCatalog.All.Count, entries.Count);
        TopicConfigEntry retention = entries.Single(e => e.Name == "retention.ms");
        Assert.Equal(("1000", false, ConfigType.Long), (retention.Value, retention.IsDefault, retention.Definition.Type));
        TopicConfigEntry replicas = entries.Single(e => e.Name == "min.insync.replicas");
        Assert.True(replicas.IsDefault && replicas.Definition.IsReadOnly);
        Assert.All(entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Definition.Documentation)));
    }
}
