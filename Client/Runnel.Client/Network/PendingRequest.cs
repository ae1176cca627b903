using System.Buffers;
using Runnel.Protocol;

namespace Runnel.Client.Network;

/// <summary>A response frame in a buffer rented from <see cref="ArrayPool{T}.Shared"/>; return it with <see cref="Release"/>.</summary>
internal readonly struct ResponseFrame(byte[] buffer, int length)
{
    public byte[] Buffer { get; } = buffer;

    public int Length { get; } = length;

    public ReadOnlyMemory<byte> Memory => new(Buffer, 0, Length);

    public void Release()
    {
        if (Buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}

/// <summary>A request written to a connection whose response has not arrived yet. Responses arrive in send order.</summary>
internal sealed class PendingRequest(ApiKey apiKey, long sentTimestamp)
    : TaskCompletionSource<ResponseFrame>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    private int _abandoned;

    /// <summary>Assigned under the connection's write lock, just before the frame is written.</summary>
    public int CorrelationId { get; set; }

    public ApiKey ApiKey { get; } = apiKey;

    /// <summary>How long the response may take; JoinGroup waits for the whole group, so it gets longer than the default.</summary>
    public TimeSpan Timeout { get; set; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of the send, for the request timeout.</summary>
    public long SentTimestamp { get; } = sentTimestamp;

    /// <summary>The caller stopped waiting (cancelled); the response will be dropped when it comes.</summary>
    public bool IsAbandoned => Volatile.Read(ref _abandoned) != 0;

    public void Abandon() => Interlocked.Exchange(ref _abandoned, 1);

    /// <summary>Hands the frame to the caller, or returns it to the pool when nobody waits any more.</summary>
    public void Deliver(ResponseFrame frame)
    {
        if (IsAbandoned || !TrySetResult(frame))
        {
            frame.Release();
        }
    }
}
