namespace Runnel.Grains.Storage;

/// <summary>
/// A sealed segment's life after sealing: uploaded to the blob tier (<see cref="Remote"/>), evicted from memory by
/// the <see cref="SegmentCache"/>, its local file dropped by local retention. Each transition is one volatile or
/// interlocked write, so the cache (any thread), the uploader (background) and the writer need no shared lock,
/// and readers that took an older <see cref="SegmentState"/> keep valid bytes.
/// </summary>
internal sealed partial class LogSegment
{
    private SegmentCache? _cache;
    private RemoteCopy? _remote;
    private int _localFileDropped;
    private long _charged;
    private long _lastReadTicks = Environment.TickCount64;

    /// <summary>The blob tier's copy, once the partition's manifest lists it; null before.</summary>
    public RemoteCopy? Remote => Volatile.Read(ref _remote);

    /// <summary>False once local retention dropped the file (the blob tier then holds the only copy).</summary>
    public bool HasLocalFile => Volatile.Read(ref _localFileDropped) == 0;

    /// <summary>Whether a read can be served from memory.</summary>
    public bool IsResident => State.IsResident;

    /// <summary>When a reader last used the segment (Environment.TickCount64); the cache evicts the least recent.</summary>
    public long LastReadTicks => Volatile.Read(ref _lastReadTicks);

    /// <summary>A segment known only from the manifest: no file, no bytes in memory, indexes loaded on first read.</summary>
    public static LogSegment FromRemote(string directory, RemoteSegmentInfo info, LogOptions options, SegmentCache? cache)
    {
        var segment = new LogSegment(Path.Combine(directory, FileNameFor(info.BaseOffset)), info.BaseOffset, options, file: null)
        {
            _cache = cache,
            _remote = info.Copy,
            _localFileDropped = 1,
            _nextOffset = info.NextOffset,
            _size = info.SizeInBytes,
            _maxTimestamp = info.MaxTimestamp,
            _offsetOfMaxTimestamp = info.OffsetOfMaxTimestamp,
            LastAppendMs = Math.Max(info.MaxTimestamp, 0),
        };
        segment.Publish();
        return segment;
    }

    /// <summary>Marks the readers' latest use; a plain write, since a lost update only blurs the recency order.</summary>
    public void Touch()
    {
        long now = Environment.TickCount64;
        if (_lastReadTicks != now)
        {
            _lastReadTicks = now;
        }
    }

    public void MarkUploaded(RemoteCopy copy) => Volatile.Write(ref _remote, copy);

    /// <summary>Local retention: the blob tier holds the segment, so the file goes (its memory stays up to the cache).</summary>
    public void DropLocalFile()
    {
        if (Interlocked.Exchange(ref _localFileDropped, 1) == 0)
        {
            File.Delete(FilePath);
        }
    }

    /// <summary>
    /// Drops the in-memory bytes of a sealed segment (the file or the blob tier still has them). Returns false when
    /// there was nothing to drop. Safe against concurrent index loads by compare-and-swap on the published state.
    /// </summary>
    public bool Evict()
    {
        if (!IsSealed)
        {
            return false;
        }

        while (true)
        {
            SegmentState state = State;
            if (state.ChunkCount == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _published, state.WithoutChunks(), state) == state)
            {
                _chunks = [];
                _chunkCount = 0;
                ReleaseCharge();
                return true;
            }
        }
    }

    /// <summary>Installs indexes read from the blob tier; readers that already seek without them stay correct, only slower.</summary>
    public void SetIndexes(OffsetIndexEntry[] offsets, TimeIndexEntry[] times)
    {
        while (true)
        {
            SegmentState state = State;
            if (state.OffsetIndexCount > 0 || Interlocked.CompareExchange(ref _published, state.WithIndexes(offsets, times), state) == state)
            {
                return;
            }
        }
    }

    private void Charge(long bytes)
    {
        if (_cache is not null)
        {
            Interlocked.Add(ref _charged, bytes);
            _cache.Charge(bytes);
        }
    }

    private void ReleaseCharge()
    {
        long charged = Interlocked.Exchange(ref _charged, 0);
        if (charged != 0)
        {
            _cache?.Release(charged);
        }
    }

    /// <summary>The segment leaves the log (retention, close): its memory no longer counts against the budget.</summary>
    private void LeaveCache()
    {
        _cache?.Forget(this);
        ReleaseCharge();
    }
}
