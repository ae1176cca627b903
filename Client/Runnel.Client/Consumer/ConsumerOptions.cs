using Runnel.Client.Consumer.Groups;

namespace Runnel.Client.Consumer;

/// <summary>Where to start when a partition has no committed offset (or the committed one is out of range).</summary>
public enum AutoOffsetReset
{
    /// <summary>Only records produced from now on (Kafka's default).</summary>
    Latest,

    /// <summary>From the first record still in the log.</summary>
    Earliest,

    /// <summary>Fail with OffsetOutOfRange.</summary>
    Error,
}

/// <summary>Consumer settings; defaults follow the Java client.</summary>
public sealed class ConsumerOptions : KafkaClientOptions
{
    /// <summary>Consumer group; required for <c>Subscribe</c> and for committing. Manual assignment works without one.</summary>
    public string? GroupId { get; set; }

    /// <summary>Start position without a committed offset. Default <see cref="AutoOffsetReset.Latest"/>.</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Latest;

    /// <summary>Commit consumed positions in the background every <see cref="AutoCommitInterval"/>, on rebalance and on dispose. Default true.</summary>
    public bool EnableAutoCommit { get; set; } = true;

    /// <summary>Default 5 s (Kafka's <c>auto.commit.interval.ms</c>).</summary>
    public TimeSpan AutoCommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The broker drops a member that has not heartbeated for this long. Default 45 s (Kafka 3's <c>session.timeout.ms</c>).</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Heartbeat period; also how soon a rebalance is noticed. Default 3 s (a third of Kafka's guidance is ≤ session/3).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long the coordinator waits for members to rejoin during a rebalance. Default 5 min (Kafka's <c>max.poll.interval.ms</c>).</summary>
    public TimeSpan RebalanceTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Assignors offered to the group, in preference order. Default range, then cooperative-sticky (the Java default).</summary>
    public IReadOnlyList<IPartitionAssignor> PartitionAssignors { get; set; } = [new RangeAssignor(), new CooperativeStickyAssignor()];

    /// <summary>Long-poll wait of a fetch when no data is there yet. Default 500 ms (Kafka's <c>fetch.max.wait.ms</c>).</summary>
    public TimeSpan FetchMaxWait { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Most bytes one fetch response may carry. Default 50 MiB (Kafka's <c>fetch.max.bytes</c>).</summary>
    public int FetchMaxBytes { get; set; } = 50 * 1024 * 1024;

    /// <summary>Most bytes per partition per fetch (at least one batch is always returned). Default 1 MiB.</summary>
    public int MaxPartitionFetchBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Fetch responses decoded ahead of the application (prefetch): the next fetch runs while the application
    /// works on the previous records, up to this many decoded partition chunks. Default 8.
    /// </summary>
    public int PrefetchChunks { get; set; } = 8;

    /// <summary>Verify each batch's CRC-32C. Default true (Kafka's <c>check.crcs</c>).</summary>
    public bool CheckCrcs { get; set; } = true;

    /// <summary>Largest decompressed batch accepted, against decompression bombs. Default 64 MiB.</summary>
    public int MaxDecompressedBatchBytes { get; set; } = 64 * 1024 * 1024;
}
