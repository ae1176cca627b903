namespace Runnel.Grains.Storage;

/// <summary>
/// An immutable snapshot of one segment, published by the writer with a volatile write after the bytes it
/// describes are in place. The arrays are shared between snapshots (append-only, grown by copying), so only the
/// counts here say what a reader may look at.
/// </summary>
internal sealed class SegmentState
{
    public static readonly SegmentState Empty = new(
        [], 0, [], 0, [], 0, nextOffset: 0, sizeInBytes: 0, maxTimestamp: -1, offsetOfMaxTimestamp: -1);

    public SegmentState(
        LogChunk[] chunks,
        int chunkCount,
        OffsetIndexEntry[] offsetIndex,
        int offsetIndexCount,
        TimeIndexEntry[] timeIndex,
        int timeIndexCount,
        long nextOffset,
        long sizeInBytes,
        long maxTimestamp,
        long offsetOfMaxTimestamp)
    {
        Chunks = chunks;
        ChunkCount = chunkCount;
        OffsetIndex = offsetIndex;
        OffsetIndexCount = offsetIndexCount;
        TimeIndex = timeIndex;
        TimeIndexCount = timeIndexCount;
        NextOffset = nextOffset;
        SizeInBytes = sizeInBytes;
        MaxTimestamp = maxTimestamp;
        OffsetOfMaxTimestamp = offsetOfMaxTimestamp;
    }

    public LogChunk[] Chunks { get; }
    public int ChunkCount { get; }
    public OffsetIndexEntry[] OffsetIndex { get; }
    public int OffsetIndexCount { get; }
    public TimeIndexEntry[] TimeIndex { get; }
    public int TimeIndexCount { get; }

    /// <summary>The offset the next batch appended to this segment gets (base offset when empty).</summary>
    public long NextOffset { get; }

    /// <summary>Bytes of whole batches; also the length of the valid part of the segment file.</summary>
    public long SizeInBytes { get; }

    /// <summary>Largest batch max timestamp in the segment, -1 when there is none.</summary>
    public long MaxTimestamp { get; }

    /// <summary>Base offset of the (first) batch carrying <see cref="MaxTimestamp"/>, -1 when empty.</summary>
    public long OffsetOfMaxTimestamp { get; }

    /// <summary>Whether the segment's bytes are in memory (an empty segment trivially is).</summary>
    public bool IsResident => ChunkCount > 0 || SizeInBytes == 0;

    /// <summary>The same segment with its bytes evicted from memory; the indexes stay, so cold reads can seek.</summary>
    public SegmentState WithoutChunks() => new(
        [], 0, OffsetIndex, OffsetIndexCount, TimeIndex, TimeIndexCount, NextOffset, SizeInBytes, MaxTimestamp, OffsetOfMaxTimestamp);

    /// <summary>The same segment with indexes loaded from its index object (segments that came from the blob tier).</summary>
    public SegmentState WithIndexes(OffsetIndexEntry[] offsets, TimeIndexEntry[] times) => new(
        Chunks, ChunkCount, offsets, offsets.Length, times, times.Length, NextOffset, SizeInBytes, MaxTimestamp, OffsetOfMaxTimestamp);

    /// <summary>File position at which to start scanning for the batch containing <paramref name="offset"/>.</summary>
    public long LookupOffset(long offset)
    {
        int low = 0;
        int high = OffsetIndexCount - 1;
        long position = 0;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            OffsetIndexEntry entry = OffsetIndex[mid];
            if (entry.Offset <= offset)
            {
                position = entry.Position;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return position;
    }

    /// <summary>File position at which to start scanning for the first batch with max timestamp at least <paramref name="timestamp"/>.</summary>
    public long LookupTimestamp(long timestamp)
    {
        int low = 0;
        int high = TimeIndexCount - 1;
        long position = 0;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            TimeIndexEntry entry = TimeIndex[mid];
            if (entry.MaxTimestampBefore < timestamp)
            {
                position = entry.Position;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return position;
    }

    /// <summary>Index of the chunk holding <paramref name="position"/>: the last chunk starting at or before it.</summary>
    public int FindChunk(long position)
    {
        int low = 0;
        int high = ChunkCount - 1;
        int found = 0;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            if (Chunks[mid].StartPosition <= position)
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
