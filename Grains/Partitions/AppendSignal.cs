namespace Runnel.Grains.Partitions;

/// <summary>
/// Wakes long-polling fetches when the high watermark moves. Each advance completes the current task and starts
/// a new one, so a waiter costs nothing on the append path but one interlocked swap.
/// </summary>
internal sealed class AppendSignal
{
    private TaskCompletionSource _next = NewSource();

    public Task NextAppend => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
