namespace Runnel.Client;

/// <summary>A partition of a topic.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}[{Partition}]";
}

/// <summary>A partition and an offset in it (a position to start from, a committed offset, a lag's end).</summary>
public readonly record struct TopicPartitionOffset(string Topic, int Partition, long Offset)
{
    public TopicPartitionOffset(TopicPartition topicPartition, long offset)
        : this(topicPartition.Topic, topicPartition.Partition, offset)
    {
    }

    public TopicPartition TopicPartition => new(Topic, Partition);

    public override string ToString() => $"{Topic}[{Partition}]@{Offset}";
}

/// <summary>Logical offsets understood wherever an offset is accepted.</summary>
public static class Offsets
{
    /// <summary>The first offset still in the log.</summary>
    public const long Beginning = -2;

    /// <summary>The next offset to be written (only records produced from now on).</summary>
    public const long End = -1;

    /// <summary>The group's committed offset, or the auto-offset-reset policy when there is none.</summary>
    public const long Stored = -1000;
}
