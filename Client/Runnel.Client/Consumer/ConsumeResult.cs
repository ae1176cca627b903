namespace Runnel.Client.Consumer;

/// <summary>How a record's timestamp was set.</summary>
public enum TimestampType
{
    CreateTime,
    LogAppendTime,
}

/// <summary>A consumed record.</summary>
public sealed class ConsumeResult<TKey, TValue>
{
    private static readonly IReadOnlyList<Header> s_noHeaders = [];

    public required string Topic { get; init; }

    public required int Partition { get; init; }

    public required long Offset { get; init; }

    public required TKey Key { get; init; }

    public required TValue Value { get; init; }

    /// <summary>Unix milliseconds.</summary>
    public long Timestamp { get; init; }

    public TimestampType TimestampType { get; init; }

    public IReadOnlyList<Header> Headers { get; init; } = s_noHeaders;

    /// <summary>Broker-side leader epoch of the batch (-1 when unknown).</summary>
    public int LeaderEpoch { get; init; } = -1;

    public TopicPartition TopicPartition => new(Topic, Partition);

    public TopicPartitionOffset TopicPartitionOffset => new(Topic, Partition, Offset);
}
