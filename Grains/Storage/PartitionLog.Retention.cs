using Runnel.Protocol;

namespace Runnel.Grains.Storage;

/// <summary>Removing old data: retention by time and size, and DeleteRecords. Only whole segments are deleted.</summary>
public sealed partial class PartitionLog
{
    /// <summary>Applies retention.ms and retention.bytes at the log clock's now; returns the number of segments deleted.</summary>
    public int ApplyRetention() => ApplyRetention(NowMs());

    /// <summary>
    /// Deletes the oldest segments whose newest timestamp is older than retention.ms, then the oldest ones while
    /// the log would still hold at least retention.bytes without them. Expired data in the active segment is
    /// rolled first, so the log always keeps one (possibly empty) segment that carries the next offset.
    /// </summary>
    public int ApplyRetention(long nowMs)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int expired = 0;
            if (Options.RetentionMs >= 0)
            {
                while (expired < _segments.Count && _segments[expired].SizeInBytes > 0 && IsExpired(_segments[expired], nowMs))
                {
                    expired++;
                }
            }

            if (Options.RetentionBytes >= 0)
            {
                long remaining = _sizeInBytes;
                for (int i = 0; i < expired; i++)
                {
                    remaining -= _segments[i].SizeInBytes;
                }

                while (expired < _segments.Count
                    && _segments[expired].SizeInBytes > 0
                    && remaining - _segments[expired].SizeInBytes >= Options.RetentionBytes)
                {
                    remaining -= _segments[expired].SizeInBytes;
                    expired++;
                }
            }

            if (expired > 0)
            {
                RemoveOldestSegments(expired, LogStartOffset, nowMs);
            }

            return expired;
        }
    }

    /// <summary>
    /// The DeleteRecords API: moves the log start offset to <paramref name="offset"/> (-1 means the high watermark)
    /// and deletes the segments wholly below it. The new start is checkpointed, so it survives a restart.
    /// </summary>
    public DeleteRecordsResult DeleteRecordsBefore(long offset)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            LogView view = _view;
            if (offset == -1)
            {
                offset = view.HighWatermark;
            }

            if (offset < 0 || offset > view.HighWatermark)
            {
                return new DeleteRecordsResult(ErrorCode.OffsetOutOfRange, view.LogStartOffset);
            }

            if (offset <= view.LogStartOffset)
            {
                return new DeleteRecordsResult(ErrorCode.None, view.LogStartOffset);
            }

            int below = 0;
            while (below < _segments.Count && _segments[below].SizeInBytes > 0 && _segments[below].NextOffset <= offset)
            {
                below++;
            }

            RemoveOldestSegments(below, offset, NowMs());
            return new DeleteRecordsResult(ErrorCode.None, LogStartOffset);
        }
    }

    private bool IsExpired(LogSegment segment, long nowMs)
    {
        long maxTimestamp = segment.State.MaxTimestamp;
        long newest = maxTimestamp >= 0 ? maxTimestamp : segment.LastAppendMs;
        return nowMs - newest > Options.RetentionMs;
    }

    /// <summary>Checkpoint first, then publish, then delete files: a crash in between only leaves files the next open deletes.</summary>
    private void RemoveOldestSegments(int count, long logStartOffset, long nowMs)
    {
        if (count == _segments.Count)
        {
            Roll(nowMs);
        }

        LogSegment[] removed = new LogSegment[count];
        _segments.CopyTo(0, removed, 0, count);
        _segments.RemoveRange(0, count);
        _segmentsChanged = count > 0 || _segmentsChanged;
        foreach (LogSegment segment in removed)
        {
            _sizeInBytes -= segment.SizeInBytes;
        }

        logStartOffset = Math.Max(logStartOffset, _segments[0].BaseOffset);
        if (logStartOffset != LogStartOffset)
        {
            LogStartCheckpoint.Write(_directory, logStartOffset);
        }

        PublishView(logStartOffset);
        foreach (LogSegment segment in removed)
        {
            segment.Delete();
        }

        if (count > 0)
        {
            _directoryUnsynced = true;
            DurableFile.SyncDirectory(_directory);
            _directoryUnsynced = false;
        }
    }
}
