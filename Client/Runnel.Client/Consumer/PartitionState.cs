namespace Runnel.Client.Consumer;

/// <summary>
/// The consumer's state of one assigned partition. <see cref="FetchPosition"/> runs ahead of
/// <see cref="ConsumedPosition"/> by what is prefetched; <see cref="Epoch"/> changes on every seek, pause and
/// reassignment, and prefetched data of an older epoch is dropped.
/// </summary>
internal sealed class PartitionState(TopicPartition partition, long startOffset)
{
    public TopicPartition TopicPartition { get; } = partition;

    /// <summary>Next offset to fetch; negative: a logical offset (<see cref="Offsets"/>) still to resolve.</summary>
    public long FetchPosition { get; set; } = startOffset;

    /// <summary>Offset after the last record handed to the application (what a commit stores); -1 before any.</summary>
    public long ConsumedPosition { get; set; } = startOffset >= 0 ? startOffset : -1;

    /// <summary>A timestamp to resolve with ListOffsets, when set.</summary>
    public long? SeekTimestamp { get; set; }

    /// <summary>
    /// Drawn from one counter for every partition state, so a chunk prefetched for a revoked state can never pass for
    /// the state of the same partition assigned again.
    /// </summary>
    public int Epoch { get; private set; } = Interlocked.Increment(ref s_epochs);

    private static int s_epochs;

    public void NewEpoch() => Epoch = Interlocked.Increment(ref s_epochs);

    public bool Paused { get; set; }

    /// <summary>
    /// Being taken away by a rebalance: nothing more is fetched or handed out, so the position committed for it is
    /// final while the commit is in flight.
    /// </summary>
    public bool Revoking { get; set; }

    /// <summary>High watermark from the last fetch, -1 before any.</summary>
    public long HighWatermark { get; set; } = -1;

    /// <summary>Not fetched again before this <see cref="System.Diagnostics.Stopwatch"/> timestamp (after an error).</summary>
    public long NotBefore { get; set; }
}
