using Runnel.Protocol;

namespace Runnel.Grains.Storage;

/// <summary>The lock-free read side: Fetch and ListOffsets, safe on any thread while the writer appends.</summary>
public sealed partial class PartitionLog
{
    /// <summary>ListOffsets' special timestamp for the log end (Kafka's LATEST_TIMESTAMP).</summary>
    public const long LatestTimestamp = -1;

    /// <summary>ListOffsets' special timestamp for the log start (Kafka's EARLIEST_TIMESTAMP).</summary>
    public const long EarliestTimestamp = -2;

    /// <summary>ListOffsets' special timestamp for the record with the largest timestamp (KIP-734).</summary>
    public const long MaxTimestamp = -3;

    /// <summary>
    /// Whole stored batches from the one containing <paramref name="fetchOffset"/> (even mid-batch), as long as the
    /// total stays within <paramref name="maxBytes"/>, but always at least that first batch (KIP-74); never anything at
    /// or above the high watermark. <paramref name="fetchOffset"/> equal to the high watermark gives an empty result;
    /// below the log start or above the high watermark gives <see cref="ErrorCode.OffsetOutOfRange"/>.
    /// With <paramref name="allowOversizedFirstBatch"/> false (every partition of a Fetch but the first to return
    /// data, as Kafka does), a first batch larger than <paramref name="maxBytes"/> gives an empty result instead.
    /// </summary>
    /// <remarks>
    /// Segments not in memory are read from their local file or the blob tier, blocking this thread; callers that can
    /// await use <see cref="ReadAsync"/>, which does the same without blocking.
    /// </remarks>
    public LogReadResult Read(long fetchOffset, int maxBytes, bool allowOversizedFirstBatch = true)
    {
        ValueTask<LogReadResult> read = ReadAsync(fetchOffset, maxBytes, allowOversizedFirstBatch, CancellationToken.None);
        return read.IsCompletedSuccessfully ? read.Result : read.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// <see cref="Read"/> for any tier: batches in memory are returned at once (no allocation beyond the slice list);
    /// a segment evicted from memory is read in ranges from its local file, or from the blob tier below the local
    /// start, with read-ahead. One call returns batches of one cold segment at most.
    /// </summary>
    public ValueTask<LogReadResult> ReadAsync(long fetchOffset, int maxBytes, bool allowOversizedFirstBatch, CancellationToken cancellationToken)
        => ReadViewAsync(Volatile.Read(ref _view), fetchOffset, maxBytes, allowOversizedFirstBatch, cancellationToken);

    private async ValueTask<LogReadResult> ReadViewAsync(LogView view, long fetchOffset, int maxBytes, bool allowOversizedFirstBatch, CancellationToken cancellationToken)
    {
        if (fetchOffset < view.LogStartOffset || fetchOffset > view.HighWatermark)
        {
            return LogReadResult.Empty(ErrorCode.OffsetOutOfRange, view);
        }

        for (int s = view.FindSegment(fetchOffset); s < view.Segments.Length; s++)
        {
            LogSegment segment = view.Segments[s];
            if (segment.IsResident)
            {
                return ReadResident(view, s, fetchOffset, maxBytes, allowOversizedFirstBatch);
            }

            LogReadResult cold = await _cold.ReadAsync(view, segment, fetchOffset, maxBytes, allowOversizedFirstBatch, cancellationToken).ConfigureAwait(false);
            if (!cold.IsEmpty || segment.State.NextOffset >= view.HighWatermark)
            {
                return cold;
            }

            fetchOffset = Math.Max(fetchOffset, segment.State.NextOffset); // nothing at or after it here (a gap): the next segment
        }

        return LogReadResult.Empty(ErrorCode.None, view);
    }

    /// <summary>The in-memory read, from segment <paramref name="first"/> on, stopping before any segment not in memory.</summary>
    private static LogReadResult ReadResident(LogView view, int first, long fetchOffset, int maxBytes, bool allowOversizedFirstBatch)
    {
        List<ReadOnlyMemory<byte>>? slices = null;
        LogChunk? runChunk = null;
        int runStart = 0;
        int runLength = 0;
        int total = 0;
        for (int s = first; s < view.Segments.Length; s++)
        {
            LogSegment segment = view.Segments[s];
            SegmentState state = segment.State;
            if (!state.IsResident)
            {
                break; // the next fetch continues there, through the cold path
            }

            segment.Touch();
            var cursor = new SegmentCursor(state, state.LookupOffset(fetchOffset));
            if (!cursor.SeekToOffset(fetchOffset))
            {
                continue;
            }

            for (; cursor.HasBatch; cursor.MoveNext())
            {
                int size = cursor.BatchSize;
                if (cursor.BaseOffset >= view.HighWatermark
                    || ((total > 0 || !allowOversizedFirstBatch) && (long)total + size > maxBytes))
                {
                    goto Done;
                }

                if (ReferenceEquals(cursor.Chunk, runChunk) && cursor.PositionInChunk == runStart + runLength)
                {
                    runLength += size;
                }
                else
                {
                    AddSlice(ref slices, runChunk, runStart, runLength);
                    runChunk = cursor.Chunk;
                    runStart = cursor.PositionInChunk;
                    runLength = size;
                }

                total += size;
            }
        }

    Done:
        AddSlice(ref slices, runChunk, runStart, runLength);
        return slices is null
            ? LogReadResult.Empty(ErrorCode.None, view)
            : new LogReadResult(ErrorCode.None, view.HighWatermark, view.LogStartOffset, slices, total);
    }

    /// <summary>
    /// ListOffsets: for a timestamp of 0 or more, the first offset whose record timestamp is at least it, with that
    /// timestamp (exact per record for uncompressed batches; the batch's base offset for compressed ones, so a
    /// consumer may see a few earlier records). <see cref="EarliestTimestamp"/>, <see cref="LatestTimestamp"/> and
    /// <see cref="MaxTimestamp"/> are answered too. <see cref="TimestampOffset.None"/> when nothing matches.
    /// </summary>
    public TimestampOffset OffsetForTimestamp(long timestamp)
    {
        LogView view = Volatile.Read(ref _view);
        switch (timestamp)
        {
            case EarliestTimestamp:
                return new TimestampOffset(view.LogStartOffset, -1);
            case LatestTimestamp:
                return new TimestampOffset(view.HighWatermark, -1);
            case MaxTimestamp:
                return FindMaxTimestamp(view);
            case < 0:
                return TimestampOffset.None;
        }

        foreach (LogSegment segment in view.Segments)
        {
            SegmentState state = segment.State;
            if (state.MaxTimestamp < timestamp)
            {
                continue;
            }

            if (!state.IsResident)
            {
                // Not in memory: answer with the segment's first offset rather than fetch it (a consumer may see a
                // few earlier records, as with compressed batches).
                return new TimestampOffset(Math.Max(segment.BaseOffset, view.LogStartOffset), state.MaxTimestamp);
            }

            for (var cursor = new SegmentCursor(state, state.LookupTimestamp(timestamp)); cursor.HasBatch; cursor.MoveNext())
            {
                if (cursor.BaseOffset >= view.HighWatermark)
                {
                    return TimestampOffset.None;
                }

                if (cursor.LastOffset >= view.LogStartOffset && cursor.MaxTimestamp >= timestamp)
                {
                    return RecordTimestampSearch.Find(cursor.Batch.Span, timestamp, view.LogStartOffset);
                }
            }
        }

        return TimestampOffset.None;
    }

    private static TimestampOffset FindMaxTimestamp(LogView view)
    {
        long bestTimestamp = -1;
        long bestOffset = -1; // set when the best is in a segment not in memory (its summary answers)
        ReadOnlyMemory<byte> bestBatch = default;
        foreach (LogSegment segment in view.Segments)
        {
            SegmentState state = segment.State;
            if (state.MaxTimestamp <= bestTimestamp)
            {
                continue;
            }

            if (!state.IsResident)
            {
                if (state.OffsetOfMaxTimestamp >= view.LogStartOffset && state.OffsetOfMaxTimestamp < view.HighWatermark)
                {
                    bestTimestamp = state.MaxTimestamp;
                    bestBatch = default;
                    bestOffset = state.OffsetOfMaxTimestamp;
                }

                continue;
            }

            if (state.NextOffset <= view.HighWatermark && state.OffsetOfMaxTimestamp >= view.LogStartOffset)
            {
                var located = new SegmentCursor(state, state.LookupOffset(state.OffsetOfMaxTimestamp));
                if (located.SeekToOffset(state.OffsetOfMaxTimestamp))
                {
                    bestTimestamp = state.MaxTimestamp;
                    bestBatch = located.Batch;
                    bestOffset = -1;
                    continue;
                }
            }

            // The segment's summary may cover batches above the high watermark or below the log start: walk it.
            for (var cursor = new SegmentCursor(state, 0); cursor.HasBatch && cursor.BaseOffset < view.HighWatermark; cursor.MoveNext())
            {
                if (cursor.MaxTimestamp > bestTimestamp && cursor.LastOffset >= view.LogStartOffset)
                {
                    bestTimestamp = cursor.MaxTimestamp;
                    bestBatch = cursor.Batch;
                    bestOffset = -1;
                }
            }
        }

        if (bestOffset >= 0)
        {
            return new TimestampOffset(bestOffset, bestTimestamp);
        }

        return bestBatch.IsEmpty ? TimestampOffset.None : RecordTimestampSearch.Find(bestBatch.Span, bestTimestamp, view.LogStartOffset);
    }

    private static void AddSlice(ref List<ReadOnlyMemory<byte>>? slices, LogChunk? chunk, int start, int length)
    {
        if (chunk is not null)
        {
            (slices ??= new List<ReadOnlyMemory<byte>>(2)).Add(chunk.Buffer.AsMemory(start, length));
        }
    }
}
