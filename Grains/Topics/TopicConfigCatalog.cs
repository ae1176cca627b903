using System.Diagnostics.CodeAnalysis;

namespace Runnel.Grains.Topics;

/// <summary>
/// Every Kafka 3.x/4.x topic config, with Kafka's names and defaults and how Runnel supports each
/// (<see cref="ConfigSupport"/>; the table is in TopicConfigCatalog.Definitions.cs). Names Kafka does not know are
/// refused rather than silently ignored, so a client never believes a setting took effect when it did not.
/// Source of names, types, defaults and valid values: Kafka's topic config reference (kafka.apache.org, 3.9 and 4.0).
/// </summary>
public static partial class TopicConfigCatalog
{
    public const string CleanupPolicy = "cleanup.policy";
    public const string CompressionType = "compression.type";
    public const string CompressionGzipLevel = "compression.gzip.level";
    public const string CompressionLz4Level = "compression.lz4.level";
    public const string CompressionZstdLevel = "compression.zstd.level";
    public const string DeleteRetentionMs = "delete.retention.ms";
    public const string FileDeleteDelayMs = "file.delete.delay.ms";
    public const string FlushMessages = "flush.messages";
    public const string FlushMs = "flush.ms";
    public const string FollowerReplicationThrottledReplicas = "follower.replication.throttled.replicas";
    public const string IndexIntervalBytes = "index.interval.bytes";
    public const string LeaderReplicationThrottledReplicas = "leader.replication.throttled.replicas";
    public const string LocalRetentionBytes = "local.retention.bytes";
    public const string LocalRetentionMs = "local.retention.ms";
    public const string MaxCompactionLagMs = "max.compaction.lag.ms";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string MessageDownconversionEnable = "message.downconversion.enable";
    public const string MessageFormatVersion = "message.format.version";
    public const string MessageTimestampAfterMaxMs = "message.timestamp.after.max.ms";
    public const string MessageTimestampBeforeMaxMs = "message.timestamp.before.max.ms";
    public const string MessageTimestampDifferenceMaxMs = "message.timestamp.difference.max.ms";
    public const string MessageTimestampType = "message.timestamp.type";
    public const string MinCleanableDirtyRatio = "min.cleanable.dirty.ratio";
    public const string MinCompactionLagMs = "min.compaction.lag.ms";
    public const string MinInsyncReplicas = "min.insync.replicas";
    public const string Preallocate = "preallocate";
    public const string RemoteLogCopyDisable = "remote.log.copy.disable";
    public const string RemoteLogDeleteOnDisable = "remote.log.delete.on.disable";
    public const string RemoteStorageEnable = "remote.storage.enable";
    public const string RetentionBytes = "retention.bytes";
    public const string RetentionMs = "retention.ms";
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentIndexBytes = "segment.index.bytes";
    public const string SegmentJitterMs = "segment.jitter.ms";
    public const string SegmentMs = "segment.ms";
    public const string UncleanLeaderElectionEnable = "unclean.leader.election.enable";

    public const long DefaultRetentionMs = 604_800_000;
    public const int DefaultSegmentBytes = 1_073_741_824;
    public const long DefaultSegmentMs = 604_800_000;
    public const int DefaultMaxMessageBytes = 1_048_588;

    /// <summary>local.retention.bytes and local.retention.ms: -2 means "the same as retention.bytes / retention.ms", as in Kafka.</summary>
    public const long SameAsRetention = -2;

    /// <summary>Unlike Kafka (which never fsyncs and relies on replicas), a single silo fsyncs every second by default.</summary>
    public const long DefaultFlushMs = 1000;

    /// <summary>All known configs, sorted by name (the order DescribeConfigs lists them).</summary>
    public static IReadOnlyList<TopicConfigDefinition> All => s_definitions;

    public static bool TryGet(string name, [NotNullWhen(true)] out TopicConfigDefinition? definition) =>
        s_byName.TryGetValue(name, out definition);

    /// <summary>Null when <paramref name="name"/> is known and <paramref name="value"/> is valid for it, else a message.</summary>
    public static string? Validate(string name, string? value)
    {
        if (!TryGet(name, out TopicConfigDefinition? definition))
        {
            return $"Unknown topic config '{name}': it is not a Kafka topic config. Known: {string.Join(", ", s_byName.Keys.Order(StringComparer.Ordinal))}.";
        }

        return value is null ? $"The value of topic config '{name}' must not be null." : definition.Validate(value);
    }

    private static string? ValidateCleanupPolicy(string value)
    {
        int policies = 0;
        foreach (string part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "compact")
            {
                return "cleanup.policy=compact is not supported yet: log compaction is its own piece of work and its cleaner is not built; use 'delete'.";
            }

            if (part != "delete")
            {
                return $"Invalid value '{value}' for cleanup.policy: expected a list of 'delete' and 'compact' (Runnel supports 'delete').";
            }

            policies++;
        }

        return policies > 0 ? null : "cleanup.policy needs a policy: 'delete' is the one Runnel supports (an empty list is refused).";
    }
}
