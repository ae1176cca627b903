using Runnel.Grains.Storage;

namespace Runnel.Grains.Partitions;

/// <summary>
/// Acknowledgements that wait for disk (acks=-1): each waiter asks for an offset to be fsynced, and one fsync at
/// a time covers every append made before it started. Waiters that arrive during an fsync are covered together by
/// the next one, so under load many batches share each fsync. Runs outside grain turns: appends never wait for it.
/// </summary>
internal sealed class GroupCommit
{
    private readonly PartitionLog _log;
    private readonly Lock _gate = new();
    private List<(long Offset, TaskCompletionSource Done)> _waiters = new();
    private bool _running;
    private long _syncs;

    public GroupCommit(PartitionLog log) => _log = log;

    /// <summary>fsyncs done so far; many waiters per fsync is the point.</summary>
    public long SyncCount => Interlocked.Read(ref _syncs);

    /// <summary>Completes once <paramref name="lastOffset"/> (already appended) is on disk.</summary>
    public Task WaitDurableAsync(long lastOffset)
    {
        if (lastOffset < _log.DurableOffset)
        {
            return Task.CompletedTask;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((lastOffset, done));
            if (!_running)
            {
                _running = true;
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
