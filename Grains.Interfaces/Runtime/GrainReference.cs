namespace Runnel.Runtime;

/// <summary>
/// A reference to a grain. Each call is queued to the grain's activation and runs as one turn: the grain never runs
/// two calls at once and a call's awaits do not let another call in (not reentrant).
/// </summary>
/// <remarks>
/// Orleans generates a proxy per grain interface; Runnel has no code generator for that, so a call names the method
/// in a lambda: <c>await partitions.GetGrain&lt;IPartitionGrain&gt;("orders/7").InvokeAsync(g =&gt; g.AppendAsync(batch))</c>.
/// </remarks>
public readonly struct GrainReference<TGrain>
    where TGrain : IGrain
{
    private readonly IGrainCallInvoker _invoker;

    public GrainReference(GrainId id, IGrainCallInvoker invoker)
    {
        Id = id;
        _invoker = invoker;
    }

    public GrainId Id { get; }

    public Task<TResult> InvokeAsync<TResult>(Func<TGrain, Task<TResult>> call, CancellationToken cancellationToken = default)
        => _invoker.InvokeAsync(Id, call, cancellationToken);

    public Task InvokeAsync(Func<TGrain, Task> call, CancellationToken cancellationToken = default)
        => _invoker.InvokeAsync<TGrain, bool>(Id, async g => { await call(g); return true; }, cancellationToken);
}

/// <summary>The runtime side of a <see cref="GrainReference{TGrain}"/>: finds or creates the activation and queues the call.</summary>
public interface IGrainCallInvoker
{
    Task<TResult> InvokeAsync<TGrain, TResult>(GrainId id, Func<TGrain, Task<TResult>> call, CancellationToken cancellationToken)
        where TGrain : IGrain;
}
