namespace Runnel.Client.Network;

/// <summary>A parsed response whose byte fields point into a pooled frame; dispose it to return the frame.</summary>
internal sealed class ResponseLease<TResponse>(TResponse response, ResponseFrame frame) : IDisposable
{
    private ResponseFrame _frame = frame;

    public TResponse Response { get; } = response;

    public void Dispose()
    {
        ResponseFrame frame = _frame;
        _frame = default;
        if (frame.Buffer is not null)
        {
            frame.Release();
        }
    }
}
