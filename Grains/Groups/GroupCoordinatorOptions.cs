using Microsoft.Extensions.Options;

namespace Runnel.Grains.Groups;

/// <summary>Settings of the group coordinator, with Kafka's broker config names and defaults.</summary>
public sealed class GroupCoordinatorOptions
{
    /// <summary>group.min.session.timeout.ms: a JoinGroup asking for less is refused with INVALID_SESSION_TIMEOUT. Default 6000.</summary>
    public int MinSessionTimeoutMs { get; set; } = 6_000;

    /// <summary>group.max.session.timeout.ms. Default 1800000.</summary>
    public int MaxSessionTimeoutMs { get; set; } = 1_800_000;

    /// <summary>
    /// group.initial.rebalance.delay.ms: the first rebalance of an empty group waits this long (extended by each new
    /// member, up to the rebalance timeout) so members starting together end up in one rebalance, not one each. Default 3000.
    /// </summary>
    public int InitialRebalanceDelayMs { get; set; } = 3_000;

    /// <summary>offsets.retention.minutes: offsets of an empty group are deleted this long after it became empty
    /// and after their last commit. Default 7 days.</summary>
    public TimeSpan OffsetsRetention { get; set; } = TimeSpan.FromMinutes(10_080);

    /// <summary>offsets.retention.check.interval.ms. Default 10 minutes.</summary>
    public TimeSpan OffsetsRetentionCheckInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>offsets.topic.num.partitions, used when the silo creates the offsets topic. Default 8.</summary>
    public int OffsetsTopicPartitions { get; set; } = 8;

    /// <summary>offset.metadata.max.bytes: longer commit metadata is refused with OFFSET_METADATA_TOO_LARGE. Default 4096.</summary>
    public int MaxMetadataBytes { get; set; } = 4096;

    /// <summary>How often a group with members checks session and rebalance deadlines. Default 100 ms.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>Refuses coordinator settings that contradict each other, naming the setting.</summary>
public sealed class GroupCoordinatorOptionsValidator : IValidateOptions<GroupCoordinatorOptions>
{
    public ValidateOptionsResult Validate(string? name, GroupCoordinatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MinSessionTimeoutMs < 1 || options.MaxSessionTimeoutMs < options.MinSessionTimeoutMs)
        {
            failures.Add($"Group session timeouts need 1 <= --group-min-session-timeout-ms ({options.MinSessionTimeoutMs}) <= --group-max-session-timeout-ms ({options.MaxSessionTimeoutMs}).");
        }

        if (options.InitialRebalanceDelayMs < 0)
        {
            failures.Add($"--group-initial-rebalance-delay-ms must be at least 0, not {options.InitialRebalanceDelayMs}.");
        }

        if (options.OffsetsRetention < TimeSpan.FromMinutes(1) || options.OffsetsRetentionCheckInterval < TimeSpan.FromMilliseconds(100))
        {
            failures.Add("--offsets-retention-minutes must be at least 1 and the retention check interval at least 100 ms.");
        }

        if (options.OffsetsTopicPartitions < 1 || options.MaxMetadataBytes < 0 || options.TickInterval <= TimeSpan.Zero)
        {
            failures.Add("--offsets-topic-partitions must be at least 1, the metadata limit not negative and the tick interval positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
