namespace Runnel.Client.Producer;

/// <summary>Chooses the partition of a record that has no explicit one.</summary>
public interface IPartitioner
{
    /// <summary>The partition (0 ≤ result &lt; <paramref name="partitionCount"/>) for a record with serialized key <paramref name="key"/> (null for a null key).</summary>
    int Partition(string topic, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount);

    /// <summary>Called when the batch of a null-key record's partition filled up, so a sticky partitioner can move on.</summary>
    void OnBatchFull(string topic, int partition, int partitionCount);
}
