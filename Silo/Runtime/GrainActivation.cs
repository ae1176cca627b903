using System.Threading.Channels;
using Runnel.Runtime;

namespace Runnel.Silo.Runtime;

/// <summary>
/// One live grain: its instance and a mailbox pumped one work item at a time. A work item's whole task, awaits
/// included, completes before the next starts; that is what makes a grain single-threaded and not reentrant.
/// </summary>
internal sealed partial class GrainActivation : IGrainContext
{
    private readonly Channel<WorkItem> _mailbox;
    private readonly GrainRuntime _runtime;
    private readonly ILogger _logger;
    private readonly List<GrainTimer> _timers = new();
    private long _lastActivityTicks;
    private int _state; // 0 active, 1 deactivating
    private bool _keepAlive;
    private bool _deactivateRequested;
    private Exception? _activationFailure;

    public GrainActivation(GrainId id, Grain grain, GrainRuntime runtime, int mailboxCapacity, ILogger logger)
    {
        GrainId = id;
        Instance = grain;
        _runtime = runtime;
        _logger = logger;
        _mailbox = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(mailboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _lastActivityTicks = Environment.TickCount64;
        Grain.AttachContext(grain, this);
        Completion = Task.Run(PumpAsync);
    }

    public GrainId GrainId { get; }

    public Grain Instance { get; }

    public Task Completion { get; }

    public bool IsDeactivating => Volatile.Read(ref _state) != 0;

    public bool KeepsAlive => _keepAlive;

    public long IdleMilliseconds => Environment.TickCount64 - Volatile.Read(ref _lastActivityTicks);

    /// <summary>Queues a work item; false when the activation is shutting down, so the caller must find a new one.</summary>
    public ValueTask<bool> TryEnqueueAsync(WorkItem item, CancellationToken cancellationToken)
    {
        if (IsDeactivating)
        {
            return new ValueTask<bool>(false);
        }

        if (_mailbox.Writer.TryWrite(item))
        {
            return new ValueTask<bool>(true);
        }

        return EnqueueSlowAsync(item, cancellationToken);
    }

    private async ValueTask<bool> EnqueueSlowAsync(WorkItem item, CancellationToken cancellationToken)
    {
        try
        {
            await _mailbox.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    /// <summary>Queues the deactivation as the last turn. Calls already queued still run first.</summary>
    public bool BeginDeactivation(DeactivationReason reason)
    {
        if (Interlocked.Exchange(ref _state, 1) != 0)
        {
            return false;
        }

        // The deactivation turn is written before the mailbox closes so it runs after every call already queued.
        _mailbox.Writer.TryWrite(new DeactivationWorkItem(this, reason));
        _mailbox.Writer.TryComplete();
        return true;
    }

    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback, dueTime, period);
        lock (_timers)
        {
            _timers.Add(timer);
        }

        return timer;
    }

    public void DeactivateOnIdle() => _deactivateRequested = true;

    public void KeepAlive() => _keepAlive = true;

    internal bool TryPostTimerTick(WorkItem tick) => !IsDeactivating && _mailbox.Writer.TryWrite(tick);

    private async Task PumpAsync()
    {
        await foreach (WorkItem item in _mailbox.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_activationFailure is not null && item is not DeactivationWorkItem)
            {
                // Calls queued behind a failed activation fail with its reason instead of running on a half-made grain.
                item.Fail(_activationFailure);
                continue;
            }

            try
            {
                await item.ExecuteAsync(Instance).ConfigureAwait(false);
            }
            catch (Exception ex) when (item is ActivationWorkItem)
            {
                _activationFailure = new InvalidOperationException($"Grain {GrainId} failed to activate: {ex.Message}", ex);
            }
            catch (Exception ex)
            {
                // A work item completes its own caller; anything escaping here is a bug in a timer or a deactivation.
                LogTurnFailed(_logger, GrainId.ToString(), ex);
            }

            Volatile.Write(ref _lastActivityTicks, Environment.TickCount64);
            if (_deactivateRequested)
            {
                _deactivateRequested = false;
                _runtime.Deactivate(this, DeactivationReason.Requested);
            }
        }
    }

    internal async Task RunDeactivationAsync(DeactivationReason reason)
    {
        lock (_timers)
        {
            foreach (GrainTimer timer in _timers)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Instance.OnDeactivateAsync(reason, timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _runtime.OnDeactivated(this);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A turn of grain {GrainId} failed")]
    private static partial void LogTurnFailed(ILogger logger, string grainId, Exception exception);

    private sealed class DeactivationWorkItem(GrainActivation activation, DeactivationReason reason) : WorkItem
    {
        public override Task ExecuteAsync(Grain grain) => activation.RunDeactivationAsync(reason);
    }
}
