using Microsoft.Win32.SafeHandles;
using Runnel.Grains.Producers;
using Runnel.Protocol;
using Runnel.Records;

namespace Runnel.Grains.Storage;

/// <summary>
/// The log of one partition: segments of stored batches with dense offsets. One writer (the partition grain,
/// one call at a time) appends, flushes and applies retention; any number of threads read concurrently without
/// locks. Readers see an immutable <see cref="LogView"/> published after the bytes it covers, so they never see a
/// half-appended batch nor anything above the high watermark.
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly Lock _writeLock = new(); // guards against accidental concurrent writers; uncontended in practice
    private readonly List<LogSegment> _segments;
    private LogSegment[] _publishedSegments;
    private bool _segmentsChanged;
    private LogView _view;
    private long _sizeInBytes;
    private long _lastFlushMs;
    private long _durableOffset;
    private bool _directoryUnsynced;
    private bool _disposed;
    private readonly SegmentCache? _cache;
    private readonly ColdSegmentReader _cold;

    private PartitionLog(string directory, LogOptions options, TimeProvider time, List<LogSegment> segments, long logStartOffset, ProducerStateTable producers, LogTierContext tier)
    {
        _directory = directory;
        Options = options;
        _time = time;
        _segments = segments;
        Producers = producers;
        _cache = tier.Cache;
        _cold = new ColdSegmentReader(tier.Remote, tier.ColdReadBlockBytes, tier.Metrics, time);
        foreach (LogSegment segment in segments)
        {
            _sizeInBytes += segment.SizeInBytes;
        }

        _publishedSegments = [.. segments];
        _view = NewView(_publishedSegments, logStartOffset, segments[^1].NextOffset);
        _lastFlushMs = NowMs();

        // What recovery found is what the disk kept; it counts as durable.
        _durableOffset = segments[^1].NextOffset;
    }

    public string Directory => _directory;

    public LogOptions Options { get; private set; }

    /// <summary>
    /// Idempotent-producer state, rebuilt from the log at open. The caller checks each batch with
    /// <see cref="ProducerStateTable.Check"/> before <see cref="Append"/>; Append records what it stores.
    /// Writer-only: do not touch it from reader threads.
    /// </summary>
    public ProducerStateTable Producers { get; }

    public long LogStartOffset => Volatile.Read(ref _view).LogStartOffset;

    /// <summary>The offset after the last readable record; on one silo it equals the log end offset.</summary>
    public long HighWatermark => Volatile.Read(ref _view).HighWatermark;

    public long LogEndOffset => HighWatermark;

    public long SizeInBytes => Volatile.Read(ref _view).SizeInBytes;

    public int SegmentCount => Volatile.Read(ref _view).Segments.Length;

    /// <summary>Opens (creating if needed) the log in <paramref name="directory"/>, recovering it after any crash.</summary>
    public static PartitionLog Open(string directory, LogOptions options, TimeProvider? time = null) =>
        LogRecovery.Open(directory, options, time ?? TimeProvider.System, LogTierContext.None);

    /// <summary>
    /// Opens the log with its blob tier: segments the manifest lists below the first local one become readable
    /// (from the blob tier), and a folder emptied or lost entirely continues at the manifest's end offset.
    /// </summary>
    public static PartitionLog Open(string directory, LogOptions options, LogTierContext tier, TimeProvider? time = null) =>
        LogRecovery.Open(directory, options, time ?? TimeProvider.System, tier ?? LogTierContext.None);

    internal static PartitionLog Create(string directory, LogOptions options, TimeProvider time, List<LogSegment> segments, long logStartOffset, ProducerStateTable producers, LogTierContext tier) =>
        new(directory, options, time, segments, logStartOffset, producers, tier);

    /// <summary>Applies changed topic configs; segment sizes and retention take effect from the next append or retention pass.</summary>
    public void UpdateOptions(LogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_writeLock)
        {
            Options = options;
        }
    }

    /// <summary>
    /// Appends one or more validated v2 batches as the producer sent them, assigning dense offsets by rewriting
    /// only baseOffset and partitionLeaderEpoch. Each batch is written to the segment file (write syscall) before
    /// this returns and becomes readable at once. Batches too large or malformed are refused with an error result.
    /// </summary>
    public LogAppendResult Append(ReadOnlySpan<byte> validatedBatches, int leaderEpoch)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            LogAppendResult? refused = CheckFraming(validatedBatches);
            if (refused is { } error)
            {
                return error;
            }

            long nowMs = NowMs();
            long firstOffset = _segments[^1].NextOffset;
            int position = 0;
            try
            {
                while (position < validatedBatches.Length)
                {
                    ReadOnlySpan<byte> batch = validatedBatches[position..];
                    RecordBatchHeader header = RecordBatchHeader.Read(batch);
                    batch = batch[..header.TotalSize];
                    if (_segments[^1].ShouldRoll(batch.Length, nowMs, Options))
                    {
                        Roll(nowMs);
                    }

                    LogSegment active = _segments[^1];
                    long baseOffset = active.NextOffset;
                    active.Append(batch, baseOffset, leaderEpoch, nowMs);
                    _sizeInBytes += batch.Length;
                    Producers.Record(header, batch, baseOffset);
                    position += batch.Length;
                }
            }
            catch (IOException e)
            {
                // Batches before the failing one are in the file and would come back after a restart, so they are
                // published; the caller gets an error and nothing of the failed batch is visible.
                PublishView(LogStartOffset);
                return LogAppendResult.Failed(ErrorCode.KafkaStorageError, $"Writing the segment file failed: {e.Message}");
            }

            PublishView(LogStartOffset);
            return new LogAppendResult(ErrorCode.None, firstOffset, _segments[^1].NextOffset - 1, nowMs, null);
        }
    }

    /// <summary>fsync of the active segment (and of the folder when segments were created or deleted).</summary>
    public void Flush()
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _segments[^1].Flush();
            if (_directoryUnsynced)
            {
                DurableFile.SyncDirectory(_directory);
                _directoryUnsynced = false;
            }

            _lastFlushMs = NowMs();
            Volatile.Write(ref _durableOffset, Math.Max(_durableOffset, _segments[^1].NextOffset));
        }
    }

    /// <summary>Whether <see cref="LogOptions.FlushIntervalMs"/> has passed since the last fsync of appended data.</summary>
    public bool IsFlushDue => NowMs() - Volatile.Read(ref _lastFlushMs) >= Options.FlushIntervalMs;

    /// <summary>Offsets below this are fsynced (sealed segments are fsynced when sealed).</summary>
    public long DurableOffset => Volatile.Read(ref _durableOffset);

    /// <summary>
    /// Group commit: fsyncs everything appended so far and returns the new <see cref="DurableOffset"/>. The fsync
    /// runs outside the write lock, so appends go on meanwhile and the next call covers them all at once.
    /// </summary>
    public long SyncAppended()
    {
        SyncPoint point = BeginSync();
        try
        {
            SyncFile(point);
        }
        catch
        {
            AbortSync(point);
            throw;
        }

        return EndSync(point);
    }

    /// <summary>Flushes when <see cref="LogOptions.FlushIntervalMs"/> has passed since the last flush; for the owner's timer.</summary>
    public bool FlushIfDue()
    {
        if (NowMs() - Volatile.Read(ref _lastFlushMs) < Options.FlushIntervalMs)
        {
            return false;
        }

        Flush();
        return true;
    }

    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _segments[^1].Flush();
            foreach (LogSegment segment in _segments)
            {
                segment.Dispose();
            }

            _cold.Clear();
        }
    }

    private LogAppendResult? CheckFraming(ReadOnlySpan<byte> batches)
    {
        if (batches.IsEmpty)
        {
            return LogAppendResult.Failed(ErrorCode.CorruptMessage, "The append holds no record batch.");
        }

        int position = 0;
        while (position < batches.Length)
        {
            ErrorCode framing = BatchFraming.TryFrame(batches[position..], out int size);
            if (framing != ErrorCode.None)
            {
                return LogAppendResult.Failed(framing, $"The record batch at byte {position} of the append is malformed or not magic v2.");
            }

            if (size > Options.MaxMessageBytes)
            {
                return LogAppendResult.Failed(
                    ErrorCode.MessageTooLarge,
                    $"The record batch is {size} bytes, larger than max.message.bytes ({Options.MaxMessageBytes}).");
            }

            position += size;
        }

        return null;
    }

    private void Roll(long nowMs)
    {
        LogSegment previous = _segments[^1];
        previous.Publish();
        previous.Seal();
        _segments.Add(LogSegment.Create(_directory, previous.NextOffset, Options, nowMs, _cache));
        _segmentsChanged = true;
        _directoryUnsynced = true;
        _cache?.Admit(previous); // after the new active segment exists, so an eviction never sees an unsealed tail
    }

    /// <summary>Publishes the active segment's snapshot, then the view; the order is what keeps readers consistent.</summary>
    private void PublishView(long logStartOffset)
    {
        if (_segmentsChanged)
        {
            _publishedSegments = [.. _segments];
            _segmentsChanged = false;
        }

        LogSegment active = _segments[^1];
        active.Publish();
        Producers.Transactions.TrimBelow(logStartOffset);
        Volatile.Write(ref _view, NewView(_publishedSegments, logStartOffset, active.NextOffset));
    }

    /// <summary>A view with the transactions' state as of now: the last stable offset and the aborted transactions.</summary>
    private LogView NewView(LogSegment[] segments, long logStartOffset, long highWatermark)
    {
        TransactionIndex transactions = Producers.Transactions;
        long firstUnstable = transactions.FirstUnstableOffset;
        // Never below the log start: retention may delete an open transaction's first records.
        long lastStable = firstUnstable < 0 ? highWatermark : Math.Max(logStartOffset, Math.Min(firstUnstable, highWatermark));
        return new LogView(segments, logStartOffset, highWatermark, _sizeInBytes) { LastStableOffset = lastStable, AbortedTransactions = transactions.Aborted };
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
