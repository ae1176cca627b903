using System.Globalization;

namespace Runnel.Grains.Groups;

/// <summary>
/// Settings of the group coordinator, with Kafka's broker config names and defaults. The silo reads them from
/// RUNNEL_* environment variables (see <see cref="FromEnvironment"/>) until they get command-line options.
/// </summary>
public sealed class GroupSettings
{
    /// <summary>group.min.session.timeout.ms: a JoinGroup asking for less is refused with INVALID_SESSION_TIMEOUT.</summary>
    public int MinSessionTimeoutMs { get; init; } = 6_000;

    /// <summary>group.max.session.timeout.ms.</summary>
    public int MaxSessionTimeoutMs { get; init; } = 1_800_000;

    /// <summary>
    /// group.initial.rebalance.delay.ms: the first rebalance of an empty group waits this long (extended by each new
    /// member, up to the rebalance timeout) so members starting together end up in one rebalance, not one each.
    /// </summary>
    public int InitialRebalanceDelayMs { get; init; } = 3_000;

    /// <summary>offsets.retention.minutes: offsets of an empty group are deleted this long after it became empty
    /// and after their last commit. Default 7 days.</summary>
    public TimeSpan OffsetsRetention { get; init; } = TimeSpan.FromMinutes(10_080);

    /// <summary>offsets.retention.check.interval.ms.</summary>
    public TimeSpan OffsetsRetentionCheckInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>offsets.topic.num.partitions, used when the silo creates the offsets topic.</summary>
    public int OffsetsTopicPartitions { get; init; } = 8;

    /// <summary>offset.metadata.max.bytes: longer commit metadata is refused with OFFSET_METADATA_TOO_LARGE.</summary>
    public int MaxMetadataBytes { get; init; } = 4096;

    /// <summary>How often a group with members checks session and rebalance deadlines.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Reads RUNNEL_GROUP_MIN_SESSION_TIMEOUT_MS, RUNNEL_GROUP_MAX_SESSION_TIMEOUT_MS,
    /// RUNNEL_GROUP_INITIAL_REBALANCE_DELAY_MS, RUNNEL_OFFSETS_RETENTION_MINUTES,
    /// RUNNEL_OFFSETS_RETENTION_CHECK_INTERVAL_MS and RUNNEL_OFFSETS_TOPIC_PARTITIONS; unset ones keep Kafka's defaults.</summary>
    public static GroupSettings FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var defaults = new GroupSettings();
        return new GroupSettings
        {
            MinSessionTimeoutMs = Int(environment, "RUNNEL_GROUP_MIN_SESSION_TIMEOUT_MS", defaults.MinSessionTimeoutMs, 1),
            MaxSessionTimeoutMs = Int(environment, "RUNNEL_GROUP_MAX_SESSION_TIMEOUT_MS", defaults.MaxSessionTimeoutMs, 1),
            InitialRebalanceDelayMs = Int(environment, "RUNNEL_GROUP_INITIAL_REBALANCE_DELAY_MS", defaults.InitialRebalanceDelayMs, 0),
            OffsetsRetention = TimeSpan.FromMinutes(Int(environment, "RUNNEL_OFFSETS_RETENTION_MINUTES", (int)defaults.OffsetsRetention.TotalMinutes, 1)),
            OffsetsRetentionCheckInterval = TimeSpan.FromMilliseconds(Int(environment, "RUNNEL_OFFSETS_RETENTION_CHECK_INTERVAL_MS", (int)defaults.OffsetsRetentionCheckInterval.TotalMilliseconds, 100)),
            OffsetsTopicPartitions = Int(environment, "RUNNEL_OFFSETS_TOPIC_PARTITIONS", defaults.OffsetsTopicPartitions, 1),
        };
    }

    private static int Int(Func<string, string?> environment, string name, int fallback, int min)
    {
        string? text = environment(name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min)
        {
            throw new ArgumentException($"{name} takes a whole number of at least {min}, not '{text}'.");
        }

        return value;
    }
}
