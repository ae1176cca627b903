using System.Collections.Concurrent;

namespace Runnel.Client.Producer;

/// <summary>
/// The Java client's default: keyed records go to <c>toPositive(murmur2(key)) % partitions</c> (so a key lands on
/// the same partition as with the Java client and librdkafka's <c>murmur2_random</c>); null-key records stick to
/// one random partition until its batch fills, then move to another (KIP-480), which makes fuller batches.
/// </summary>
public sealed class DefaultPartitioner : IPartitioner
{
    private readonly ConcurrentDictionary<string, StrongBox> _sticky = new(StringComparer.Ordinal);

    public int Partition(string topic, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount)
    {
        if (!keyIsNull)
        {
            return Murmur2.Partition(key, partitionCount);
        }

        StrongBox box = _sticky.GetOrAdd(topic, static _ => new StrongBox(-1));
        int current = Volatile.Read(ref box.Value);
        if (current < 0 || current >= partitionCount)
        {
            current = Random.Shared.Next(partitionCount);
            Volatile.Write(ref box.Value, current);
        }

        return current;
    }

    public void OnBatchFull(string topic, int partition, int partitionCount)
    {
        if (partitionCount <= 1 || !_sticky.TryGetValue(topic, out StrongBox? box))
        {
            return;
        }

        int next = Random.Shared.Next(partitionCount - 1);
        Interlocked.CompareExchange(ref box.Value, next >= partition ? next + 1 : next, partition);
    }

    private sealed class StrongBox(int value)
    {
        public int Value = value;
    }
}
