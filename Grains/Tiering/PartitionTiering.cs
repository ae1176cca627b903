using Microsoft.Extensions.Logging;
using Runnel.Grains.Metadata;
using Runnel.Grains.Storage;

namespace Runnel.Grains.Tiering;

/// <summary>
/// Tiers one partition in the background: uploads sealed segments oldest first, lists them in the manifest, marks
/// them uploaded in the log (which lets local retention drop their files), carries the log start offset and
/// retention into the manifest and the blob tier, and now and then sweeps orphaned blobs. One pass at a time per
/// partition; the partition grain's timer starts a pass with <see cref="Kick"/> and never waits for it.
/// </summary>
public sealed class PartitionTiering : IAsyncDisposable
{
    private readonly TieredStorage _storage;
    private readonly TopicMetadata _topic;
    private readonly int _partition;
    private readonly string _prefix;
    private readonly TierManifestStore _manifest;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private PartitionLog? _log;
    private Task _pass = Task.CompletedTask;
    private long _nextCleanTicks;
    private volatile bool _lastPassFailed;

    internal PartitionTiering(TieredStorage storage, TopicMetadata topic, int partition, ILogger logger)
    {
        _storage = storage;
        _topic = topic;
        _partition = partition;
        _logger = logger;
        _prefix = TierBlobNames.PartitionPrefix(topic.TopicId, partition);
        _manifest = new TierManifestStore(storage.Store, TierBlobNames.Manifest(_prefix), storage.Metrics, logger);
        _nextCleanTicks = Environment.TickCount64 + (long)storage.Options.CleanerInterval.TotalMilliseconds;
    }

    /// <summary>The manifest as last read or written, null when the partition has none.</summary>
    public TierManifest? Manifest => _manifest.Current;

    /// <summary>Reads the manifest and returns what the log needs to open over both tiers.</summary>
    public async Task<LogTierContext> LoadAsync(CancellationToken cancellationToken)
    {
        TierManifest? manifest = await _manifest.LoadAsync(cancellationToken).ConfigureAwait(false);
        return _storage.ContextFor(manifest);
    }

    /// <summary>Binds the opened log; passes do nothing before.</summary>
    public void Attach(PartitionLog log) => _log = log;

    /// <summary>Starts a pass unless one is running; returns at once.</summary>
    public void Kick()
    {
        lock (_gate)
        {
            if (_pass.IsCompleted && !_stop.IsCancellationRequested && _log is not null)
            {
                _pass = Task.Run(() => RunPassAsync(_stop.Token));
            }
        }
    }

    /// <summary>Whether every sealed segment of the attached log is in the blob tier.</summary>
    public bool AllUploaded => _log is not { } log || PendingSegments(log, 1).Count == 0;

    /// <summary>
    /// Whether a pass has something to do: the last one failed (retried), a sealed segment waits for upload, the
    /// manifest has not caught up with the log start, or the orphan sweep is due. The owner kicks only then.
    /// </summary>
    public bool NeedsPass
    {
        get
        {
            if (_log is not { } log || _stop.IsCancellationRequested)
            {
                return false;
            }

            return _lastPassFailed
                || (log.Options.RemoteStorageEnabled && PendingSegments(log, 1).Count > 0)
                || ManifestBehind(_manifest.Current, log.LogStartOffset)
                || (_manifest.Current is not null && Environment.TickCount64 >= _nextCleanTicks);
        }
    }

    /// <summary>Whether a pass is running now.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return !_pass.IsCompleted;
            }
        }
    }

    /// <summary>Time until the orphan sweep falls due; null while the partition has nothing in the blob tier.</summary>
    public TimeSpan? CleanDueIn => _manifest.Current is null
        ? null
        : TimeSpan.FromMilliseconds(Math.Max(0, _nextCleanTicks - Environment.TickCount64));

    /// <summary>One pass, awaited (tests and tools; the grain uses <see cref="Kick"/>).</summary>
    public Task RunOnceAsync(CancellationToken cancellationToken) => RunPassAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task pass;
        lock (_gate)
        {
            pass = _pass;
        }

        try
        {
            await pass.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunPassAsync(CancellationToken cancellationToken)
    {
        PartitionLog? log = _log;
        if (log is null)
        {
            return;
        }

        _lastPassFailed = false;
        try
        {
            await UploadPendingAsync(log, cancellationToken).ConfigureAwait(false);
            await ApplyLogStartAsync(log, cancellationToken).ConfigureAwait(false);
            if (Environment.TickCount64 >= _nextCleanTicks)
            {
                _nextCleanTicks = Environment.TickCount64 + (long)_storage.Options.CleanerInterval.TotalMilliseconds;
                await _storage.Cleaner.CleanAsync(_prefix, _manifest, _storage.Options.OrphanGracePeriod, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or BlobStorage.BlobStoreException or InvalidDataException or UnauthorizedAccessException or ObjectDisposedException)
        {
            _lastPassFailed = true;
            TieringLog.TieringFailed(_logger, _topic.Name, _partition, e);
        }
    }

    private async Task UploadPendingAsync(PartitionLog log, CancellationToken cancellationToken)
    {
        while (log.Options.RemoteStorageEnabled && !cancellationToken.IsCancellationRequested)
        {
            List<LogSegment> pending = PendingSegments(log, _storage.Options.UploadConcurrency);
            if (pending.Count == 0)
            {
                return;
            }

            // The topic must be restorable before its data matters: mirror the metadata first.
            await _storage.Mirror.EnsureMirroredAsync(cancellationToken).ConfigureAwait(false);
            var uploads = new Task<TierManifestSegment>[pending.Count];
            for (int i = 0; i < pending.Count; i++)
            {
                uploads[i] = _storage.Uploader.UploadAsync(_prefix, pending[i], cancellationToken);
            }

            TierManifestSegment[] entries = await Task.WhenAll(uploads).ConfigureAwait(false);
            // Segments retention removed meanwhile are listed too, and unlisted (with their blobs) by ApplyLogStartAsync.
            await _manifest.CommitAsync(m => m.AddSegments(entries), NewManifest, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < pending.Count; i++)
            {
                pending[i].MarkUploaded(entries[i].ToRemoteSegment().Copy);
                _storage.Metrics.Uploaded(entries[i].SizeBytes);
            }

            TieringLog.Uploaded(_logger, pending.Count, _topic.Name, _partition, entries[^1].NextOffset);
        }
    }

    /// <summary>Sealed segments not yet uploaded, oldest first, at most <paramref name="max"/>, all with their file.</summary>
    private static List<LogSegment> PendingSegments(PartitionLog log, int max)
    {
        LogSegment[] segments = log.PublishedSegments;
        long logStart = log.LogStartOffset;
        var pending = new List<LogSegment>(max);
        for (int i = 0; i < segments.Length - 1 && pending.Count < max; i++)
        {
            LogSegment segment = segments[i];
            if (segment.Remote is null && segment.IsSealed && segment.HasLocalFile && segment.SizeInBytes > 0 && segment.NextOffset > logStart)
            {
                pending.Add(segment);
            }
        }

        return pending;
    }

    /// <summary>Retention and DeleteRecords: the manifest follows the log start, then the unlisted blobs are deleted.</summary>
    private async Task ApplyLogStartAsync(PartitionLog log, CancellationToken cancellationToken)
    {
        long logStart = log.LogStartOffset;
        if (!ManifestBehind(_manifest.Current, logStart))
        {
            return;
        }

        List<TierManifestSegment> removed = [];
        await _manifest.CommitAsync(
            m =>
            {
                // Re-applied to a fresh copy after a conflict: decide again from what the store holds.
                removed = [];
                if (m.LogStartOffset >= logStart && !m.Segments.Exists(s => s.NextOffset <= logStart))
                {
                    return false;
                }

                removed = m.AdvanceLogStart(logStart);
                return true;
            },
            NewManifest,
            cancellationToken).ConfigureAwait(false);

        foreach (TierManifestSegment segment in removed)
        {
            await _storage.Cleaner.TryDeleteAsync(segment.Object, "retention", cancellationToken).ConfigureAwait(false);
            await _storage.Cleaner.TryDeleteAsync(segment.Index, "retention", cancellationToken).ConfigureAwait(false);
        }

        TieringLog.RemoteRetention(_logger, _topic.Name, _partition, logStart, removed.Count);
    }

    private static bool ManifestBehind(TierManifest? manifest, long logStart)
    {
        if (manifest is null)
        {
            return false;
        }

        if (manifest.LogStartOffset < logStart)
        {
            return true;
        }

        foreach (TierManifestSegment segment in manifest.Segments)
        {
            if (segment.NextOffset <= logStart)
            {
                return true;
            }
        }

        return false;
    }

    private TierManifest NewManifest() => new()
    {
        Topic = _topic.Name,
        TopicId = _topic.TopicId,
        Partition = _partition,
    };
}
