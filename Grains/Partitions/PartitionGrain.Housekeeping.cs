using Microsoft.Extensions.Logging;
using Runnel.Grains.Storage;

namespace Runnel.Grains.Partitions;

/// <summary>
/// Housekeeping: the periodic fsync, the segment.ms roll of an idle tail, retention, local retention, the tiering
/// kick and the lease extension retry, all in one grain timer that ticks only while the partition has work. Every
/// tick ends by choosing the next one: within the tick interval while something is pending (unflushed bytes, a
/// tiering pass to run or retry, a lease to extend), else at the first moment a time-based rule can act (asked of the
/// log), at most a day away. Appends and config changes wake it. An idle partition therefore costs no CPU: at 10,000
/// partitions, three periodic timers each burned 22-41% of a core doing nothing (tests/perf/NOTES.md).
/// </summary>
public sealed partial class PartitionGrain
{
    // A far-off rule (segment.ms and retention.ms default to 7 days) is re-checked once a day: cheap, and bounded.
    private static readonly TimeSpan s_longestSleep = TimeSpan.FromDays(1);
    private IGrainTimer? _housekeeping;
    private TimeSpan _tickInterval;
    private long _tickDueTicks = long.MaxValue;
    private bool _asleep;
    private bool _retentionPending;
    private long _nextRetentionMs;

    private void StartHousekeeping(PartitionLog log)
    {
        _tickInterval = TimeSpan.FromMilliseconds(Math.Min(Math.Max(_settings.FlushIntervalMs, 10), _storage.Options.Interval.TotalMilliseconds));
        _nextRetentionMs = log.ClockNowMs + (long)_settings.RetentionCheckInterval.TotalMilliseconds;
        _housekeeping = this.RegisterGrainTimer(HousekeepAsync, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // The first tick runs every rule once: the log may hold data past a limit lowered while it was closed, or
        // sealed segments still to upload.
        _asleep = true;
        WakeHousekeeping();
    }

    /// <summary>Work appeared (an append, DeleteRecords, a config change): tick within one interval. Cheap when already ticking.</summary>
    private void WakeHousekeeping()
    {
        // retention.bytes is the one rule that appends alone bring due; retention.ms is asked of the log when asleep.
        _retentionPending |= _log is { Options.RetentionBytes: >= 0 };
        long now = Environment.TickCount64;
        if (_housekeeping is { } timer && _tickDueTicks > now + (long)_tickInterval.TotalMilliseconds)
        {
            _tickDueTicks = now + (long)_tickInterval.TotalMilliseconds;
            timer.Change(_tickInterval, Timeout.InfiniteTimeSpan);
        }
    }

    private Task HousekeepAsync(CancellationToken cancellationToken)
    {
        if (_log is not { } log)
        {
            return Task.CompletedTask;
        }

        _storage.Metrics.HousekeepingTick();
        bool woke = _asleep;
        ExtendLeaseIfDue();
        FlushIfDue(log);
        long now = log.ClockNowMs;
        if (woke || now >= _nextRetentionMs)
        {
            // A partition that slept was woken for a time-based rule, possibly retention's: check it now.
            log.ApplyRetention();
            _retentionPending = false;
            _nextRetentionMs = now + (long)_settings.RetentionCheckInterval.TotalMilliseconds;
        }

        log.RollIfDue();
        log.DropLocalCopies();
        if (_tiering is { NeedsPass: true } tiering)
        {
            tiering.Kick();
        }

        ScheduleNextTick(log);
        return Task.CompletedTask;
    }

    private void ScheduleNextTick(PartitionLog log)
    {
        bool busy = log.HasUnflushedData
            || _tiering is { IsRunning: true } or { NeedsPass: true }
            || (_lease is { } lease && !_fenced && lease.ShouldExtend(log.LogEndOffset));
        TimeSpan due = _tickInterval;
        _asleep = !busy;
        if (!busy)
        {
            long next = log.NextTimedWorkMs();
            if (_retentionPending)
            {
                next = Math.Min(next, _nextRetentionMs);
            }

            double untilMs = next == long.MaxValue ? s_longestSleep.TotalMilliseconds : Math.Clamp(next - log.ClockNowMs, 0, s_longestSleep.TotalMilliseconds);
            TimeSpan until = TimeSpan.FromMilliseconds(untilMs);
            if (_tiering?.CleanDueIn is { } clean && clean < until)
            {
                until = clean;
            }

            // Never sooner than the interval: a rule due now is retried at that pace, never in a spin.
            due = until > _tickInterval ? until : _tickInterval;
        }

        _tickDueTicks = Environment.TickCount64 + (long)due.TotalMilliseconds;
        _housekeeping?.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void FlushIfDue(PartitionLog log)
    {
        // The periodic fsync goes through the group commit, off this turn, so appends never wait for it.
        if (_reader is { } reader && log.IsFlushDue && log.HasUnflushedData)
        {
            reader.GroupCommit.WaitDurableAsync(log.HighWatermark - 1).ContinueWith(
                static (t, state) => LogFlushFailed((ILogger)state!, t.Exception!.GetBaseException()),
                _logger,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted,
                TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A periodic fsync of a partition log failed; the next tick retries")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
