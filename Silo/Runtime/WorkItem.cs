using Runnel.Runtime;

namespace Runnel.Silo.Runtime;

/// <summary>One turn of a grain: a call, a timer tick, an activation or a deactivation.</summary>
internal abstract class WorkItem
{
    public abstract Task ExecuteAsync(Grain grain);

    /// <summary>Completes the item without running it, e.g. because the activation failed to activate.</summary>
    public virtual void Fail(Exception reason)
    {
    }
}

/// <summary>A call from a <see cref="GrainReference{TGrain}"/>; completes the caller's task with the call's outcome.</summary>
internal sealed class CallWorkItem<TGrain, TResult> : WorkItem
    where TGrain : IGrain
{
    private readonly Func<TGrain, Task<TResult>> _call;
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CallWorkItem(Func<TGrain, Task<TResult>> call) => _call = call;

    public Task<TResult> Task => _completion.Task;

    public override async Task ExecuteAsync(Grain grain)
    {
        try
        {
            _completion.TrySetResult(await _call((TGrain)(object)grain).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            _completion.TrySetException(ex);
        }
    }

    public override void Fail(Exception reason) => _completion.TrySetException(reason);
}

/// <summary>The activation turn: runs OnActivateAsync before any call.</summary>
internal sealed class ActivationWorkItem : WorkItem
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Task => _completion.Task;

    public override async Task ExecuteAsync(Grain grain)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await grain.OnActivateAsync(timeout.Token).ConfigureAwait(false);
            _completion.TrySetResult();
        }
        catch (Exception ex)
        {
            _completion.TrySetException(ex);
            throw;
        }
    }
}
