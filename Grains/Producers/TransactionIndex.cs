using Runnel.Records;

namespace Runnel.Grains.Producers;

/// <summary>A transaction aborted in one partition: its producer, its first offset and the offset of its abort marker.</summary>
public readonly record struct AbortedTransaction(long ProducerId, long FirstOffset, long LastOffset);

/// <summary>
/// The transactions of one partition, rebuilt from the log at open like the producer state: which producers have a
/// transaction open here (and its first offset, which bounds the last stable offset) and which transactions were
/// aborted (what read_committed consumers must skip). Changed by the partition's single writer only; readers get
/// the immutable <see cref="Aborted"/> array and <see cref="FirstUnstableOffset"/> through the log's published view.
/// </summary>
public sealed class TransactionIndex
{
    private readonly Dictionary<long, long> _open = [];
    private AbortedTransaction[] _aborted = [];

    /// <summary>The first offset of the earliest open transaction; -1 when none is open.</summary>
    public long FirstUnstableOffset { get; private set; } = -1;

    /// <summary>Aborted transactions in marker order; a new array whenever one is added (readers keep theirs).</summary>
    public AbortedTransaction[] Aborted => _aborted;

    public int OpenCount => _open.Count;

    public bool IsOpen(long producerId) => _open.ContainsKey(producerId);

    /// <summary>Called with each abort stored from now on (the log keeps them on disk); not during the rebuild at open.</summary>
    public Action<AbortedTransaction>? Aborting { get; set; }

    /// <summary>Called with what is left after retention dropped older aborts.</summary>
    public Action<AbortedTransaction[]>? Trimmed { get; set; }

    /// <summary>
    /// Adds, before the aborts rebuilt from local segments, the stored ones whose markers are below
    /// <paramref name="firstLocalOffset"/> (no longer in a local segment, so the rebuild could not see them).
    /// </summary>
    public void RestoreOlder(IReadOnlyList<AbortedTransaction> stored, long firstLocalOffset)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var older = new List<AbortedTransaction>();
        foreach (AbortedTransaction a in stored)
        {
            if (a.LastOffset < firstLocalOffset)
            {
                older.Add(a);
            }
        }

        if (older.Count > 0)
        {
            _aborted = [.. older, .. _aborted];
        }
    }

    /// <summary>Notes a stored batch: a transactional data batch opens its producer's transaction, a marker ends it.</summary>
    public void OnBatch(in RecordBatchHeader header, ReadOnlySpan<byte> batch, long baseOffset)
    {
        if (!header.IsTransactional || header.ProducerId < 0)
        {
            return;
        }

        if (!header.IsControl)
        {
            if (_open.TryAdd(header.ProducerId, baseOffset))
            {
                Recompute();
            }

            return;
        }

        bool? commit = TransactionMarker.IsCommit(batch);
        if (commit is null || !_open.Remove(header.ProducerId, out long first))
        {
            return; // a marker for a transaction that wrote nothing here (or a retried marker) changes nothing
        }

        if (commit == false)
        {
            var aborted = new AbortedTransaction(header.ProducerId, first, baseOffset);
            _aborted = [.. _aborted, aborted];
            Aborting?.Invoke(aborted);
        }

        Recompute();
    }

    /// <summary>Forgets aborted transactions wholly below the log start (retention removed their records).</summary>
    public void TrimBelow(long logStartOffset)
    {
        if (_aborted.Length > 0 && _aborted[0].LastOffset < logStartOffset)
        {
            _aborted = Array.FindAll(_aborted, a => a.LastOffset >= logStartOffset);
            Trimmed?.Invoke(_aborted);
        }
    }

    private void Recompute()
    {
        long first = -1;
        foreach (long offset in _open.Values)
        {
            first = first < 0 ? offset : Math.Min(first, offset);
        }

        FirstUnstableOffset = first;
    }
}
