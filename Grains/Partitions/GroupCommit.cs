using Runnel.Grains.Storage;

namespace Runnel.Grains.Partitions;

/// <summary>
/// Acknowledgements that wait for disk (acks=-1): each waiter asks for an offset to be fsynced, and one fsync at
/// a time covers every append made before it started. Waiters that arrive during an fsync are covered together by
/// the next one, so under load many batches share each fsync. Runs outside grain turns: appends never wait for it.
/// With a silo-wide <see cref="FileSystemSync"/>, waiters join its passes (one syncfs for every log) while many logs
/// sync at once; a few busy partitions keep their own fsyncs.
/// </summary>
internal sealed class GroupCommit
{
    private readonly PartitionLog _log;
    private readonly FileSystemSync? _shared;
    private readonly Lock _gate = new();
    private List<(long Offset, TaskCompletionSource Done)> _waiters = new();
    private bool _running;
    private long _syncs;

    public GroupCommit(PartitionLog log, FileSystemSync? shared = null)
    {
        _log = log;
        _shared = shared;
    }

    /// <summary>fsyncs done so far; many waiters per fsync is the point.</summary>
    public long SyncCount => Interlocked.Read(ref _syncs);

    /// <summary>Completes once <paramref name="lastOffset"/> (already appended) is on disk.</summary>
    /// <param name="manyPartitions">The caller waits for many logs at once: join the silo-wide pass if there is one.</param>
    public Task WaitDurableAsync(long lastOffset, bool manyPartitions = false)
    {
        if (lastOffset < _log.DurableOffset)
        {
            return Task.CompletedTask;
        }

        if (_shared is { } shared && (shared.ShouldJoin || (manyPartitions && shared.SyncsFileSystem)))
        {
            return shared.WaitDurableAsync(_log, lastOffset);
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((lastOffset, done));
            if (!_running)
            {
                _running = true;
                _shared?.OwnSync(started: true);
                _ = Task.Run(SyncWaitersAsync);
            }
        }

        return done.Task;
    }

    private Task SyncWaitersAsync()
    {
        while (true)
        {
            List<(long Offset, TaskCompletionSource Done)> batch;
            lock (_gate)
            {
                if (_waiters.Count == 0)
                {
                    _running = false;
                    _shared?.OwnSync(started: false);
                    return Task.CompletedTask;
                }

                batch = _waiters;
                _waiters = new();
            }

            try
            {
                long durable = _log.SyncAppended();
                Interlocked.Increment(ref _syncs);
                foreach (var (offset, done) in batch)
                {
                    if (offset < durable)
                    {
                        done.TrySetResult();
                    }
                    else
                    {
                        // Not appended when the fsync began (cannot happen for a caller that waited after its append).
                        lock (_gate)
                        {
                            _waiters.Add((offset, done));
                        }
                    }
                }
            }
            catch (Exception ex)
            {
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(ex);
                }
            }
        }
    }
}
