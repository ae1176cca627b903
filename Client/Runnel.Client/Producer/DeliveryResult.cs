namespace Runnel.Client.Producer;

/// <summary>Where an acknowledged record was written. <see cref="Offset"/> is -1 with <see cref="Acks.None"/>.</summary>
public readonly record struct DeliveryResult(string Topic, int Partition, long Offset, long Timestamp)
{
    public TopicPartitionOffset TopicPartitionOffset => new(Topic, Partition, Offset);
}
