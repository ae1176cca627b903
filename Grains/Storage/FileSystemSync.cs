using System.Runtime.InteropServices;

namespace Runnel.Grains.Storage;

/// <summary>
/// One group commit for every partition log of the silo. A waiter asks for its log to be durable up to an offset;
/// one pass at a time takes every waiter queued so far, notes how far each of their logs is appended, makes all of
/// them durable with one <c>syncfs(2)</c> of the data folder's file system (Linux), and answers them. With thousands
/// of partitions in each Produce request, an fsync per partition cost 150-430 µs of disk time and ~30 µs of CPU
/// each, and a blocked pool thread each; syncfs covered 2,000 dirty files in 13-144 ms and under 17 ms of CPU on
/// this machine (tests/perf/NOTES.md). Where syncfs is missing the pass fsyncs each log in turn.
/// A syncfs also waits for every other dirty file of the file system, so logs use it only when many sync at once
/// (<see cref="ShouldJoin"/>): a few busy partitions keep their own fsyncs, in parallel, as before.
/// Every partition log lives under the data folder, so on its file system; a folder mounted inside it would not be.
/// </summary>
public sealed partial class FileSystemSync : IDisposable
{
    /// <summary>Logs syncing on their own at once from which new waiters join the shared pass instead.</summary>
    public const int ManyLogs = 16;

    private readonly Lock _gate = new();
    private readonly Dictionary<PartitionLog, PartitionLog.SyncPoint> _points = new(ReferenceEqualityComparer.Instance);
    private readonly int _descriptor;
    private List<Waiter> _waiters = new();
    private List<Waiter> _batch = new();
    private volatile bool _running;
    private int _ownSyncs;
    private long _passes;

    /// <param name="root">A folder on the file system of every log (the data folder); null fsyncs each log instead.</param>
    public FileSystemSync(string? root)
    {
        _descriptor = root is not null && OperatingSystem.IsLinux() ? OpenFolder(root) : -1;
    }

    /// <summary>Passes run so far; each covers every waiter queued before it began.</summary>
    public long PassCount => Interlocked.Read(ref _passes);

    /// <summary>Whether a pass is one syncfs (Linux) rather than an fsync per log.</summary>
    public bool SyncsFileSystem => _descriptor >= 0;

    /// <summary>
    /// Whether a waiter should join the shared pass: one is running already, or <see cref="ManyLogs"/> logs are
    /// fsyncing on their own now. Never without syncfs (a shared pass would only serialize the same fsyncs).
    /// </summary>
    public bool ShouldJoin => _descriptor >= 0 && (_running || Volatile.Read(ref _ownSyncs) >= ManyLogs);

    /// <summary>A log's own group commit started (true) or finished (false) a run of fsyncs.</summary>
    public void OwnSync(bool started) => Interlocked.Add(ref _ownSyncs, started ? 1 : -1);

    /// <summary>Completes once <paramref name="lastOffset"/> (already appended to <paramref name="log"/>) is on disk.</summary>
    public Task WaitDurableAsync(PartitionLog log, long lastOffset)
    {
        if (lastOffset < log.DurableOffset)
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add(new Waiter(log, lastOffset, done));
            if (!_running)
            {
                _running = true;
                _ = Task.Run(RunPasses);
            }
        }

        return done.Task;
    }

    public void Dispose()
    {
        if (_descriptor >= 0)
        {
            _ = Close(_descriptor);
        }
    }

    private void RunPasses()
    {
        while (true)
        {
            lock (_gate)
            {
                if (_waiters.Count == 0)
                {
                    _running = false;
                    return;
                }

                (_batch, _waiters) = (_waiters, _batch);
            }

            RunPass(_batch);
            _batch.Clear();
        }
    }

    private void RunPass(List<Waiter> batch)
    {
        foreach (Waiter waiter in batch)
        {
            if (!_points.ContainsKey(waiter.Log))
            {
                TryBegin(waiter);
            }
        }

        try
        {
            SyncAll();
            foreach (var (log, point) in _points)
            {
                log.EndSync(point);
            }

            Interlocked.Increment(ref _passes);
            foreach (Waiter waiter in batch)
            {
                if (waiter.Offset < waiter.Log.DurableOffset)
                {
                    waiter.Done.TrySetResult();
                }
                else if (!waiter.Done.Task.IsCompleted)
                {
                    // Not appended when the pass began (cannot happen for a caller that waited after its append).
                    Requeue(waiter);
                }
            }
        }
        catch (Exception ex)
        {
            foreach (var (log, point) in _points)
            {
                log.AbortSync(point);
            }

            foreach (Waiter waiter in batch)
            {
                waiter.Done.TrySetException(ex);
            }
        }
        finally
        {
            _points.Clear();
        }
    }

    private void TryBegin(Waiter waiter)
    {
        try
        {
            _points[waiter.Log] = waiter.Log.BeginSync();
        }
        catch (ObjectDisposedException ex)
        {
            // The log closed meanwhile (its partition moved or was deleted): as with a log's own group commit.
            waiter.Done.TrySetException(ex);
        }
    }

    private void SyncAll()
    {
        if (_descriptor < 0)
        {
            foreach (var (log, point) in _points)
            {
                log.SyncFile(point);
            }

            return;
        }

        // One call writes back every dirty page and inode of the file system (folders included) and flushes the
        // device cache; since Linux 5.8 it also reports write-back errors.
        if (_points.Count > 0 && SyncFs(_descriptor) != 0)
        {
            ThrowSyncFailed(Marshal.GetLastPInvokeError());
        }
    }

    private void Requeue(Waiter waiter)
    {
        lock (_gate)
        {
            _waiters.Add(waiter);
        }
    }

    private static int OpenFolder(string root)
    {
        Directory.CreateDirectory(root);
        int descriptor = Open(root, 0); // O_RDONLY: any descriptor on the file system will do
        return descriptor;
    }

    private static void ThrowSyncFailed(int errno) => throw new IOException($"syncfs of the data folder's file system failed (errno {errno}).");

    private readonly record struct Waiter(PartitionLog Log, long Offset, TaskCompletionSource Done);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
