using Microsoft.Win32.SafeHandles;

namespace Runnel.Grains.Storage;

/// <summary>
/// A sync in three steps, so one caller can make many logs durable at once (<see cref="FileSystemSync"/>): note how
/// far each log is appended, make the bytes durable (this log's fsync, or one syncfs of the whole file system), then
/// move each log's durable offset. Appends go on between the steps; the next sync covers them.
/// </summary>
public sealed partial class PartitionLog
{
    /// <summary>Step one, under the write lock: the offset the sync will cover and what it must fsync for it alone.</summary>
    public SyncPoint BeginSync()
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var point = new SyncPoint(_segments[^1].NextOffset, _directoryUnsynced, _segments[^1].FileForSync);
            _directoryUnsynced = false;
            return point;
        }
    }

    /// <summary>Step two for this log alone: fsync of the folder (if segments came or went) and of the active file.</summary>
    public void SyncFile(SyncPoint point)
    {
        try
        {
            if (point.SyncDirectory)
            {
                DurableFile.SyncDirectory(_directory);
            }

            if (point.File is { } file)
            {
                RandomAccess.FlushToDisk(file);
            }
        }
        catch (ObjectDisposedException)
        {
            // Sealed or closed meanwhile: both fsync the file before closing it, so what we captured is durable.
        }
    }

    /// <summary>Step three, once the bytes up to the point are on disk: returns the new durable offset.</summary>
    public long EndSync(SyncPoint point)
    {
        Volatile.Write(ref _lastFlushMs, NowMs());
        long seen;
        while (point.UpTo > (seen = Volatile.Read(ref _durableOffset)) && Interlocked.CompareExchange(ref _durableOffset, point.UpTo, seen) != seen)
        {
        }

        return Math.Max(point.UpTo, Volatile.Read(ref _durableOffset));
    }

    /// <summary>The sync failed: the folder still needs its fsync next time.</summary>
    public void AbortSync(SyncPoint point)
    {
        if (point.SyncDirectory)
        {
            lock (_writeLock)
            {
                _directoryUnsynced = true;
            }
        }
    }

    /// <summary>What a sync of one log covers: offsets below <paramref name="UpTo"/>, the folder if it changed, the active file.</summary>
    public readonly record struct SyncPoint(long UpTo, bool SyncDirectory, SafeFileHandle? File);
}
