using Runnel.Grains.Producers;
using Runnel.Protocol;

namespace Runnel.Grains.Storage;

/// <summary>What a read_committed read returns beside the batches: the last stable offset and the aborted transactions it overlaps.</summary>
public readonly record struct CommittedRead(LogReadResult Read, long LastStableOffset, AbortedTransaction[]? AbortedTransactions);

/// <summary>The read_committed side of the log (KIP-98): reads stop at the last stable offset.</summary>
public sealed partial class PartitionLog
{
    /// <summary>The first offset of the earliest open transaction, or the high watermark when none is open.</summary>
    public long LastStableOffset => Volatile.Read(ref _view).LastStableOffset;

    /// <summary>
    /// <see cref="ReadAsync"/> for read_committed consumers: nothing at or above the last stable offset is returned,
    /// and the aborted transactions whose records may be in the answer are listed so the consumer skips them. A fetch
    /// offset between the last stable offset and the high watermark is answered empty, not out of range.
    /// </summary>
    public async ValueTask<CommittedRead> ReadCommittedAsync(long fetchOffset, int maxBytes, bool allowOversizedFirstBatch, CancellationToken cancellationToken)
    {
        LogView view = Volatile.Read(ref _view);
        long stable = view.LastStableOffset;
        if (fetchOffset >= stable && fetchOffset <= view.HighWatermark && fetchOffset >= view.LogStartOffset)
        {
            return new CommittedRead(LogReadResult.Empty(ErrorCode.None, view), stable, null);
        }

        LogView bounded = stable == view.HighWatermark ? view : view with { HighWatermark = stable };
        LogReadResult read = await ReadViewAsync(bounded, fetchOffset, maxBytes, allowOversizedFirstBatch, cancellationToken).ConfigureAwait(false);
        read = read with { HighWatermark = view.HighWatermark };
        return new CommittedRead(read, stable, read.IsEmpty ? null : Overlapping(view.AbortedTransactions, fetchOffset, stable));
    }

    /// <summary>The aborted transactions with records in [from, to); null when there are none (the common case allocates nothing).</summary>
    private static AbortedTransaction[]? Overlapping(AbortedTransaction[] aborted, long from, long to)
    {
        int count = 0;
        foreach (AbortedTransaction a in aborted)
        {
            if (a.LastOffset >= from && a.FirstOffset < to)
            {
                count++;
            }
        }

        if (count == 0)
        {
            return null;
        }

        var found = new AbortedTransaction[count];
        int i = 0;
        foreach (AbortedTransaction a in aborted)
        {
            if (a.LastOffset >= from && a.FirstOffset < to)
            {
                found[i++] = a;
            }
        }

        return found;
    }
}
