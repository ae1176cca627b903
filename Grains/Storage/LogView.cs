namespace Runnel.Grains.Storage;

/// <summary>
/// What readers see of a log, swapped as a whole by the writer with a volatile write after the bytes and segment
/// snapshots it covers are published. A reader takes one view and stays consistent with it: the segments array is
/// never mutated, and nothing at or above <see cref="HighWatermark"/> is served even if a segment already holds it.
/// </summary>
internal sealed record LogView(LogSegment[] Segments, long LogStartOffset, long HighWatermark, long SizeInBytes)
{
    /// <summary>The first offset of the earliest open transaction, else the high watermark: read_committed reads stop here.</summary>
    public long LastStableOffset { get; init; } = HighWatermark;

    /// <summary>Aborted transactions of the partition (immutable), for read_committed Fetch answers.</summary>
    public Producers.AbortedTransaction[] AbortedTransactions { get; init; } = [];

    /// <summary>Index of the segment holding <paramref name="offset"/>: the last one starting at or before it.</summary>
    public int FindSegment(long offset)
    {
        int low = 0;
        int high = Segments.Length - 1;
        int found = 0;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            if (Segments[mid].BaseOffset <= offset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found;
    }
}
