using System.Collections.Concurrent;

namespace Runnel.Grains.Groups;

/// <summary>
/// Which partitions of which groups have offsets held by an open transaction (TxnOffsetCommit not yet committed or
/// aborted), on the silo coordinating the group. OffsetFetch with require_stable (KIP-447) answers
/// UNSTABLE_OFFSET_COMMIT for them, so a consumer taking a partition over waits for the transaction instead of
/// starting from an offset that is about to change. Written by group grains, read by any thread.
/// </summary>
public sealed class PendingTransactionalOffsets
{
    private readonly ConcurrentDictionary<(string Group, string Topic, int Partition), long> _pending = new();

    public void Hold(string group, long producerId, IReadOnlyList<GroupTopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        foreach (GroupTopicPartition p in partitions)
        {
            _pending[(group, p.Topic, p.Partition)] = producerId;
        }
    }

    /// <summary>Forgets what the producer's transaction held in the group (it committed or aborted).</summary>
    public void Release(string group, long producerId)
    {
        foreach (KeyValuePair<(string Group, string Topic, int Partition), long> entry in _pending)
        {
            if (entry.Value == producerId && string.Equals(entry.Key.Group, group, StringComparison.Ordinal))
            {
                _pending.TryRemove(entry);
            }
        }
    }

    public bool IsPending(string group, string topic, int partition) => !_pending.IsEmpty && _pending.ContainsKey((group, topic, partition));
}
