using System.Collections.Frozen;
using System.Globalization;

namespace Runnel.Grains.Topics;

/// <summary>
/// Every topic config Runnel accepts, with Kafka's names and defaults. Names not listed here are refused rather
/// than silently ignored, so a client never believes a setting took effect when it did not.
/// </summary>
public static class TopicConfigCatalog
{
    public const string CleanupPolicy = "cleanup.policy";
    public const string CompressionType = "compression.type";
    public const string FlushMs = "flush.ms";
    public const string LocalRetentionBytes = "local.retention.bytes";
    public const string LocalRetentionMs = "local.retention.ms";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string MessageTimestampType = "message.timestamp.type";
    public const string MinInsyncReplicas = "min.insync.replicas";
    public const string RemoteStorageEnable = "remote.storage.enable";
    public const string RetentionBytes = "retention.bytes";
    public const string RetentionMs = "retention.ms";
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentMs = "segment.ms";

    public const long DefaultRetentionMs = 604_800_000;
    public const int DefaultSegmentBytes = 1_073_741_824;
    public const long DefaultSegmentMs = 604_800_000;
    public const int DefaultMaxMessageBytes = 1_048_588;

    /// <summary>local.retention.bytes and local.retention.ms: -2 means "the same as retention.bytes / retention.ms", as in Kafka.</summary>
    public const long SameAsRetention = -2;

    /// <summary>Unlike Kafka (which never fsyncs and relies on replicas), a single silo fsyncs every second by default.</summary>
    public const long DefaultFlushMs = 1000;

    private static readonly TopicConfigDefinition[] s_definitions =
    [
        new(CleanupPolicy, ConfigType.List, "delete",
            "The retention policy of old segments. Only \"delete\" (by retention.ms and retention.bytes) is supported.",
            isReadOnly: false, ValidateCleanupPolicy),
        new(CompressionType, ConfigType.String, "producer",
            "Batches are stored exactly as the producer compressed them.",
            isReadOnly: true, Fixed(CompressionType, "producer", "Runnel stores batches as produced and never recompresses them")),
        new(FlushMs, ConfigType.Long, DefaultFlushMs.ToString(CultureInfo.InvariantCulture),
            "How often acknowledged data is fsynced. Every append reaches the operating system before it is acknowledged, " +
            "so a process crash loses nothing; a machine crash may lose the last flush.ms of data.",
            isReadOnly: false, LongAtLeast(FlushMs, 0)),
        new(LocalRetentionBytes, ConfigType.Long, "-2",
            "Once a sealed segment is in the blob tier, its local file is deleted while the partition's local files stay at least " +
            "this big; -2 = same as retention.bytes, -1 = no size limit. Reads below the local start come from the blob tier.",
            isReadOnly: false, LongAtLeast(LocalRetentionBytes, SameAsRetention)),
        new(LocalRetentionMs, ConfigType.Long, "-2",
            "Once a sealed segment is in the blob tier, its local file is deleted when its newest record is older than this; " +
            "-2 = same as retention.ms, -1 = no time limit.",
            isReadOnly: false, LongAtLeast(LocalRetentionMs, SameAsRetention)),
        new(MaxMessageBytes, ConfigType.Int, DefaultMaxMessageBytes.ToString(CultureInfo.InvariantCulture),
            "The largest record batch size allowed, in bytes, including the 12 bytes of batch offset and length.",
            isReadOnly: false, IntAtLeast(MaxMessageBytes, 0)),
        new(MessageTimestampType, ConfigType.String, "CreateTime",
            "Records keep the timestamp the producer set.",
            isReadOnly: true, Fixed(MessageTimestampType, "CreateTime", "LogAppendTime would rewrite batch fields covered by the CRC")),
        new(MinInsyncReplicas, ConfigType.Int, "1",
            "The minimum number of in-sync replicas for acks=all. Runnel keeps one replica per partition for now.",
            isReadOnly: true, Fixed(MinInsyncReplicas, "1", "each partition has a single replica")),
        new(RemoteStorageEnable, ConfigType.Boolean, "true",
            "Upload sealed segments to the silo's blob tier, so history outlives local disks and local retention can apply.",
            isReadOnly: false, ValidateBoolean),
        new(RetentionBytes, ConfigType.Long, "-1",
            "Old segments are deleted while the partition stays at least this big; -1 for no size limit.",
            isReadOnly: false, LongAtLeast(RetentionBytes, -1)),
        new(RetentionMs, ConfigType.Long, DefaultRetentionMs.ToString(CultureInfo.InvariantCulture),
            "Segments whose newest record is older than this are deleted; -1 keeps data forever.",
            isReadOnly: false, LongAtLeast(RetentionMs, -1)),
        new(SegmentBytes, ConfigType.Int, DefaultSegmentBytes.ToString(CultureInfo.InvariantCulture),
            "The size of a log segment; retention deletes whole segments.",
            isReadOnly: false, IntAtLeast(SegmentBytes, 14)),
        new(SegmentMs, ConfigType.Long, DefaultSegmentMs.ToString(CultureInfo.InvariantCulture),
            "A new segment is started after this long even if the current one is not full, so retention can delete old data.",
            isReadOnly: false, LongAtLeast(SegmentMs, 1)),
    ];

    private static readonly FrozenDictionary<string, TopicConfigDefinition> s_byName =
        s_definitions.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>All known configs, sorted by name (the order DescribeConfigs lists them).</summary>
    public static IReadOnlyList<TopicConfigDefinition> All => s_definitions;

    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TopicConfigDefinition? definition) =>
        s_byName.TryGetValue(name, out definition);

    /// <summary>Null when <paramref name="name"/> is known and <paramref name="value"/> is valid for it, else a message.</summary>
    public static string? Validate(string name, string? value)
    {
        if (!TryGet(name, out TopicConfigDefinition? definition))
        {
            return $"Unknown topic config '{name}'. Supported: {string.Join(", ", s_byName.Keys.Order(StringComparer.Ordinal))}.";
        }

        return value is null ? $"The value of topic config '{name}' must not be null." : definition.Validate(value);
    }

    private static string? ValidateCleanupPolicy(string value)
    {
        foreach (string part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "compact")
            {
                return "cleanup.policy=compact is not supported yet";
            }

            if (part != "delete")
            {
                return $"Invalid value '{value}' for cleanup.policy: the only supported policy is 'delete'.";
            }
        }

        return value.Trim() == "delete" ? null : $"Invalid value '{value}' for cleanup.policy: the only supported policy is 'delete'.";
    }

    private static string? ValidateBoolean(string value) =>
        bool.TryParse(value, out _) ? null : $"Invalid value '{value}' for {RemoteStorageEnable}: expected true or false.";

    private static Func<string, string?> LongAtLeast(string name, long minimum) => value =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed) && parsed >= minimum
            ? null
            : $"Invalid value '{value}' for {name}: expected a whole number of at least {minimum}.";

    private static Func<string, string?> IntAtLeast(string name, int minimum) => value =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int parsed) && parsed >= minimum
            ? null
            : $"Invalid value '{value}' for {name}: expected a whole number from {minimum} to {int.MaxValue}.";

    private static Func<string, string?> Fixed(string name, string only, string reason) => value =>
        string.Equals(value, only, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"{name} cannot be changed: it is fixed at '{only}' because {reason}.";
}
