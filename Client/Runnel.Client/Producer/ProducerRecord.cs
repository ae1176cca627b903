namespace Runnel.Client.Producer;

/// <summary>A record to produce. <see cref="Partition"/> null lets the partitioner choose; <see cref="Timestamp"/> null means now.</summary>
public sealed record ProducerRecord<TKey, TValue>(string Topic, TKey Key, TValue Value)
{
    public IReadOnlyList<Header>? Headers { get; init; }

    /// <summary>An explicit partition (honoured as is), or null for the partitioner's choice.</summary>
    public int? Partition { get; init; }

    /// <summary>CreateTime in Unix milliseconds, or null for the current time.</summary>
    public long? Timestamp { get; init; }
}
