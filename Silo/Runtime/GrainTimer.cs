using Runnel.Runtime;

namespace Runnel.Silo.Runtime;

/// <summary>A grain timer: each tick is queued as a turn, and skipped while the previous tick has not run yet.</summary>
internal sealed class GrainTimer : IDisposable
{
    private readonly GrainActivation _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly Timer _timer;
    private readonly CancellationTokenSource _disposed = new();
    private int _pending;

    public GrainTimer(GrainActivation activation, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        _activation = activation;
        _callback = callback;
        _timer = new Timer(static state => ((GrainTimer)state!).OnTick(), this, dueTime, period);
    }

    private void OnTick()
    {
        if (_disposed.IsCancellationRequested || Interlocked.Exchange(ref _pending, 1) != 0)
        {
            return;
        }

        if (!_activation.TryPostTimerTick(new TickWorkItem(this)))
        {
            Volatile.Write(ref _pending, 0);
        }
    }

    public void Dispose()
    {
        if (!_disposed.IsCancellationRequested)
        {
            _disposed.Cancel();
            _timer.Dispose();
        }
    }

    private sealed class TickWorkItem(GrainTimer timer) : WorkItem
    {
        public override async Task ExecuteAsync(Grain grain)
        {
            try
            {
                if (!timer._disposed.IsCancellationRequested)
                {
                    await timer._callback(timer._disposed.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                Volatile.Write(ref timer._pending, 0);
            }
        }
    }
}
