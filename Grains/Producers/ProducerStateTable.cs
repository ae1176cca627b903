using Runnel.Records;

namespace Runnel.Grains.Producers;

/// <summary>
/// Idempotent-producer deduplication for one partition (KIP-98): per producer id the epoch and the last five
/// batches. Rebuilt from the log's batches when the log opens; used by the partition's single writer only.
/// </summary>
public sealed class ProducerStateTable
{
    private readonly Dictionary<long, ProducerState> _producers = [];

    public int Count => _producers.Count;

    /// <summary>The partition's open and aborted transactions, fed by <see cref="Record(in RecordBatchHeader, ReadOnlySpan{byte}, long)"/>.</summary>
    public TransactionIndex Transactions { get; } = new();

    /// <summary>
    /// Whether a batch may be appended. No producer id (&lt; 0) is never checked, and an unknown producer id is
    /// accepted at any sequence (its state may have gone with retention). An older epoch is fenced; a newer
    /// epoch must start at sequence 0; within an epoch a batch equal to one of the last five is a duplicate and
    /// any other must continue at the last sequence + 1 (wrapping from int.MaxValue to 0).
    /// </summary>
    public ProducerCheckResult Check(in RecordBatchHeader batch)
    {
        if (batch.ProducerId < 0 || !_producers.TryGetValue(batch.ProducerId, out ProducerState? state))
        {
            return ProducerCheckResult.Ok;
        }

        if (batch.ProducerEpoch < state.Epoch)
        {
            return ProducerCheckResult.InvalidProducerEpoch;
        }

        if (batch.BaseSequence < 0)
        {
            return ProducerCheckResult.Ok; // no sequence (e.g. a control batch): only the epoch fences it
        }

        if (batch.ProducerEpoch > state.Epoch)
        {
            return batch.BaseSequence == 0 ? ProducerCheckResult.Ok : ProducerCheckResult.OutOfOrderSequence;
        }

        if (state.TryFindBatch(batch.BaseSequence, batch.LastSequence, out long baseOffset, out long lastOffset))
        {
            return ProducerCheckResult.Duplicate(baseOffset, lastOffset);
        }

        int last = state.LastSequence;
        if (last < 0)
        {
            return ProducerCheckResult.Ok;
        }

        int expected = last == int.MaxValue ? 0 : last + 1;
        return batch.BaseSequence == expected ? ProducerCheckResult.Ok : ProducerCheckResult.OutOfOrderSequence;
    }

    /// <summary>Remembers a stored batch (<paramref name="batch"/>: its bytes) and its effect on the partition's transactions.</summary>
    public void Record(in RecordBatchHeader header, ReadOnlySpan<byte> batch, long baseOffset)
    {
        Transactions.OnBatch(header, batch, baseOffset);
        Record(header, baseOffset);
    }

    /// <summary>Remembers a batch stored at <paramref name="baseOffset"/>; the log calls it for every batch it appends or recovers.</summary>
    public void Record(in RecordBatchHeader batch, long baseOffset)
    {
        if (batch.ProducerId < 0)
        {
            return;
        }

        if (!_producers.TryGetValue(batch.ProducerId, out ProducerState? state))
        {
            state = new ProducerState(batch.ProducerEpoch);
            _producers.Add(batch.ProducerId, state);
        }
        else if (batch.ProducerEpoch != state.Epoch)
        {
            // The log is the truth: whatever epoch it stored last wins, also during recovery.
            state.BumpEpoch(batch.ProducerEpoch);
        }

        if (batch.BaseSequence >= 0)
        {
            state.Add(batch.BaseSequence, batch.LastSequence, baseOffset, baseOffset + batch.LastOffsetDelta);
        }
    }

    /// <summary>The epoch and last sequence stored for a producer (DescribeProducers, diagnostics).</summary>
    public bool TryGetProducer(long producerId, out short epoch, out int lastSequence, out long lastBaseOffset)
    {
        if (_producers.TryGetValue(producerId, out ProducerState? state))
        {
            epoch = state.Epoch;
            lastSequence = state.LastSequence;
            lastBaseOffset = state.LastBaseOffset;
            return true;
        }

        epoch = -1;
        lastSequence = -1;
        lastBaseOffset = -1;
        return false;
    }
}
