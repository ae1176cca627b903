namespace Runnel.Runtime;

/// <summary>
/// Base class of grain implementations. The runtime sets <see cref="Context"/> before <see cref="OnActivateAsync"/>;
/// everything a grain does happens in turns, one at a time, so grain state needs no locks.
/// </summary>
public abstract class Grain
{
    private IGrainContext? _context;

    /// <summary>The grain's activation: its identity, timers and deactivation.</summary>
    protected IGrainContext Context => _context ?? throw new InvalidOperationException("The grain is not activated yet.");

    public GrainId GrainId => Context.GrainId;

    /// <summary>Runs as the first turn of a new activation.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs as the last turn of an activation (idle, silo shutdown or <see cref="IGrainContext.DeactivateOnIdle"/>).</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    internal void Attach(IGrainContext context) => _context = context;

    /// <summary>Called by the runtime (which lives in another assembly) to bind the activation.</summary>
    public static void AttachContext(Grain grain, IGrainContext context)
    {
        ArgumentNullException.ThrowIfNull(grain);
        grain.Attach(context);
    }
}

/// <summary>What an activation offers its grain.</summary>
public interface IGrainContext
{
    GrainId GrainId { get; }

    /// <summary>
    /// Registers a timer whose ticks run as turns of this grain (never concurrently with a call). A tick is skipped
    /// while the previous one is still queued or running, so a slow callback cannot pile up ticks.
    /// </summary>
    IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period);

    /// <summary>Asks the runtime to deactivate this activation once the current turn ends.</summary>
    void DeactivateOnIdle();

    /// <summary>Keeps the activation alive however long it is idle (e.g. a partition leader serving reads outside turns).</summary>
    void KeepAlive();
}

public enum DeactivationReason
{
    Idle,
    Requested,
    Shutdown,
}
