namespace Runnel.Client.Producer;

/// <summary>
/// The producer's <see cref="ProducerOptions.BufferMemory"/>: bytes are reserved when a record is accepted and
/// released when its batch is acknowledged or fails. Reservations wait in FIFO order when the budget is used up,
/// so a fast application is slowed to the pace of the brokers instead of growing an unbounded queue.
/// </summary>
internal sealed class MemoryBudget(long capacity)
{
    private readonly Queue<Waiter> _waiters = new();
    private readonly Lock _gate = new();
    private long _available = capacity;

    public long Capacity { get; } = capacity;

    public long Available
    {
        get
        {
            lock (_gate)
            {
                return _available;
            }
        }
    }

    /// <summary>Reserves without waiting; false when the bytes are not available now.</summary>
    public bool TryReserve(int bytes)
    {
        lock (_gate)
        {
            if (_waiters.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return true;
            }

            return false;
        }
    }

    public ValueTask ReserveAsync(int bytes, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_waiters.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return ValueTask.CompletedTask;
            }
        }

        return WaitAsync(bytes, cancellationToken);
    }

    public void Release(int bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        List<Waiter>? wake = null;
        lock (_gate)
        {
            _available += bytes;
            while (_waiters.TryPeek(out Waiter? head))
            {
                if (head.Task.IsCompleted)
                {
                    _waiters.Dequeue();
                    continue;
                }

                if (_available < head.Bytes)
                {
                    break;
                }

                _waiters.Dequeue();
                _available -= head.Bytes;
                (wake ??= []).Add(head);
            }
        }

        if (wake is not null)
        {
            foreach (Waiter waiter in wake)
            {
                if (!waiter.TrySetResult())
                {
                    Release(waiter.Bytes);
                }
            }
        }
    }

    private async ValueTask WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(bytes);
        lock (_gate)
        {
            if (_waiters.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return;
            }

            _waiters.Enqueue(waiter);
        }

        using (cancellationToken.UnsafeRegister(static s => ((Waiter)s!).TrySetCanceled(), waiter))
        {
            await waiter.Task.ConfigureAwait(false);
        }
    }

    private sealed class Waiter(int bytes) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public int Bytes { get; } = bytes;
    }
}
