namespace Runnel.Grains.Storage;

/// <summary>
/// When an idle log next needs its owner: the partition grain keeps no periodic timer for a partition without work,
/// so it asks the log for the first moment a time-based rule (segment.ms, retention.ms, local.retention.ms, the
/// periodic fsync) could change something with no append arriving, and sleeps until then.
/// </summary>
public sealed partial class PartitionLog
{
    /// <summary>The log clock's now, in Unix milliseconds (the clock every rule above is measured with).</summary>
    public long ClockNowMs => NowMs();

    /// <summary>Whether appended bytes still wait for an fsync.</summary>
    public bool HasUnflushedData => DurableOffset < HighWatermark;

    /// <summary>
    /// The earliest log-clock time at which <see cref="RollIfDue()"/>, <see cref="ApplyRetention()"/> (by time),
    /// <see cref="DropLocalCopies()"/> (by time) or the periodic fsync could act without a new append;
    /// <see cref="long.MaxValue"/> when none ever will. Size-based rules change only with appends and config
    /// changes, which wake the owner themselves. Writer call (reads the segment list under the write lock).
    /// </summary>
    public long NextTimedWorkMs()
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long next = long.MaxValue;
            if (HasUnflushedData)
            {
                next = Volatile.Read(ref _lastFlushMs) + Options.FlushIntervalMs;
            }

            LogSegment active = _segments[^1];
            if (active.SizeInBytes > 0 && active.FirstAppendMs >= 0)
            {
                next = Math.Min(next, SaturatingAdd(active.FirstAppendMs, Options.SegmentMs));
            }

            // Retention and local retention take the oldest segments first, so the oldest candidate decides.
            LogSegment oldest = _segments[0];
            if (Options.RetentionMs >= 0 && oldest.SizeInBytes > 0)
            {
                next = Math.Min(next, SaturatingAdd(NewestMs(oldest), Options.RetentionMs + 1));
            }

            if (Options.LocalRetentionMs >= 0)
            {
                for (int i = 0; i < _segments.Count - 1; i++)
                {
                    if (_segments[i].HasLocalFile)
                    {
                        next = Math.Min(next, SaturatingAdd(NewestMs(_segments[i]), Options.LocalRetentionMs + 1));
                        break;
                    }
                }
            }

            return next;
        }
    }

    private static long NewestMs(LogSegment segment)
    {
        long maxTimestamp = segment.State.MaxTimestamp;
        return maxTimestamp >= 0 ? maxTimestamp : segment.LastAppendMs;
    }

    private static long SaturatingAdd(long at, long delay) => at > long.MaxValue - delay ? long.MaxValue : at + delay;
}
