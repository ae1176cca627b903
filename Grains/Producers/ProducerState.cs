namespace Runnel.Grains.Producers;

/// <summary>
/// What one idempotent producer has written to one partition: its epoch and its last
/// <see cref="RetainedBatches"/> batches, the window a Kafka producer may have in flight and retry.
/// </summary>
internal sealed class ProducerState
{
    /// <summary>max.in.flight.requests.per.connection may be at most 5 with idempotence, so 5 batches cover every retry.</summary>
    public const int RetainedBatches = 5;

    private readonly BatchEntry[] _batches = new BatchEntry[RetainedBatches];
    private int _newest = -1;
    private int _count;

    public ProducerState(short epoch) => Epoch = epoch;

    public short Epoch { get; private set; }

    public int BatchCount => _count;

    /// <summary>The last sequence of the newest batch; -1 when the producer has no batch with a sequence yet.</summary>
    public int LastSequence => _count == 0 ? -1 : _batches[_newest].LastSequence;

    /// <summary>The base offset of the newest batch; -1 when there is none.</summary>
    public long LastBaseOffset => _count == 0 ? -1 : _batches[_newest].BaseOffset;

    /// <summary>A new epoch forgets the old epoch's sequences: sequences restart at 0.</summary>
    public void BumpEpoch(short epoch)
    {
        Epoch = epoch;
        _count = 0;
        _newest = -1;
    }

    public void Add(int firstSequence, int lastSequence, long baseOffset, long lastOffset)
    {
        _newest = (_newest + 1) % RetainedBatches;
        _batches[_newest] = new BatchEntry(firstSequence, lastSequence, baseOffset, lastOffset);
        _count = Math.Min(_count + 1, RetainedBatches);
    }

    public bool TryFindBatch(int firstSequence, int lastSequence, out long baseOffset, out long lastOffset)
    {
        for (int i = 0; i < _count; i++)
        {
            BatchEntry entry = _batches[(_newest - i + RetainedBatches) % RetainedBatches];
            if (entry.FirstSequence == firstSequence && entry.LastSequence == lastSequence)
            {
                baseOffset = entry.BaseOffset;
                lastOffset = entry.LastOffset;
                return true;
            }
        }

        baseOffset = -1;
        lastOffset = -1;
        return false;
    }

    private readonly record struct BatchEntry(int FirstSequence, int LastSequence, long BaseOffset, long LastOffset);
}
