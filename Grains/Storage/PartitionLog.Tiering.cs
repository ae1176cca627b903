namespace Runnel.Grains.Storage;

/// <summary>
/// The log's side of tiering: what the uploader may take, the time-based roll that lets an idle tail reach the
/// blob tier, local retention, and the per-tier totals for metrics. Uploads run outside the writer; the methods
/// that change the segment list (roll, local retention) are writer calls like appends.
/// </summary>
public sealed partial class PartitionLog
{
    /// <summary>The segments readers see now, oldest first; the last one is the active segment.</summary>
    internal LogSegment[] PublishedSegments => Volatile.Read(ref _view).Segments;

    /// <summary>
    /// Writer: seals the active segment when segment.ms has passed since its first batch, even with no append
    /// arriving (Kafka only rolls on append), so the tail of an idle partition is uploaded too.
    /// </summary>
    public bool RollIfDue() => RollIfDue(NowMs());

    public bool RollIfDue(long nowMs)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            LogSegment active = _segments[^1];
            if (active.SizeInBytes == 0 || nowMs - active.FirstAppendMs < Options.SegmentMs)
            {
                return false;
            }

            Roll(nowMs);
            PublishView(LogStartOffset);
            return true;
        }
    }

    /// <summary>Writer: seals the active segment now if it holds anything, so all of the log can be uploaded (a hand-over).</summary>
    public bool RollNow()
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_segments[^1].SizeInBytes == 0)
            {
                return false;
            }

            long nowMs = NowMs();
            Roll(nowMs);
            PublishView(LogStartOffset);
            return true;
        }
    }

    /// <summary>Frees cold-read blocks no fetch has used lately (they live outside the hot cache's budget); returns how many.</summary>
    public int DropIdleColdBlocks() => _cold.DropIdle();

    /// <summary>Cold-read blocks held now, loaded or loading.</summary>
    internal int ColdBlockCount => _cold.BlockCount;

    /// <summary>Writer: local retention at the log clock's now; see <see cref="DropLocalCopies(long)"/>.</summary>
    public int DropLocalCopies() => DropLocalCopies(NowMs());

    /// <summary>
    /// Deletes the local files of the oldest sealed segments that the blob tier already holds, while the local files
    /// would still hold at least local.retention.bytes, or whose newest record is older than local.retention.ms.
    /// Never a segment not yet uploaded, so the log stays complete across the two tiers. Returns the files deleted.
    /// </summary>
    public int DropLocalCopies(long nowMs)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long localBytes = 0;
            foreach (LogSegment segment in _segments)
            {
                localBytes += segment.HasLocalFile ? segment.SizeInBytes : 0;
            }

            int dropped = 0;
            for (int i = 0; i < _segments.Count - 1; i++)
            {
                LogSegment segment = _segments[i];
                if (!segment.HasLocalFile)
                {
                    continue;
                }

                bool bySize = Options.LocalRetentionBytes >= 0 && localBytes - segment.SizeInBytes >= Options.LocalRetentionBytes;
                bool byTime = Options.LocalRetentionMs >= 0 && IsOlderThan(segment, nowMs, Options.LocalRetentionMs);
                if (segment.Remote is null || !(bySize || byTime))
                {
                    break; // oldest first: a newer segment never loses its file before an older one
                }

                segment.DropLocalFile();
                localBytes -= segment.SizeInBytes;
                dropped++;
            }

            if (dropped > 0)
            {
                _directoryUnsynced = true;
            }

            return dropped;
        }
    }

    /// <summary>Segments and bytes per tier and the upload lag of this log, from the published view (any thread).</summary>
    public TierTotals GetTierTotals()
    {
        LogSegment[] segments = PublishedSegments;
        var totals = default(TierTotals);
        for (int i = 0; i < segments.Length; i++)
        {
            LogSegment segment = segments[i];
            SegmentState state = segment.State;
            long size = state.SizeInBytes;
            if (size == 0)
            {
                continue;
            }

            bool hot = state.ChunkCount > 0;
            bool local = segment.HasLocalFile;
            bool remote = segment.Remote is not null;
            bool lagging = !remote && i < segments.Length - 1 && Options.RemoteStorageEnabled;
            totals = totals.Add(new TierTotals(
                hot ? 1 : 0, hot ? size : 0,
                local ? 1 : 0, local ? size : 0,
                remote ? 1 : 0, remote ? size : 0,
                lagging ? 1 : 0, lagging ? size : 0));
        }

        return totals;
    }

    private static bool IsOlderThan(LogSegment segment, long nowMs, long ageMs)
    {
        long maxTimestamp = segment.State.MaxTimestamp;
        long newest = maxTimestamp >= 0 ? maxTimestamp : segment.LastAppendMs;
        return nowMs - newest > ageMs;
    }
}
