using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Perf.Kafka;

/// <summary>
/// One broker connection with pipelined requests: the caller writes request frames back to back (one writer at a
/// time), a receive loop reads the size-prefixed responses and hands each, in order, to the callback queued with
/// its request. Kafka brokers answer a connection's requests in order, so a FIFO is all the matching needed.
/// </summary>
public sealed class KafkaWire : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly ConcurrentQueue<Action<ReadOnlyMemory<byte>>> _pending = new();
    private readonly Task _receiving;
    private int _correlationId;

    private KafkaWire(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024));
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    public string ClientId { get; init; } = "runnel-perf";

    /// <summary>The receive loop's failure, if it stopped.</summary>
    public Task Receiving => _receiving;

    public static async Task<KafkaWire> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4 << 20, SendBufferSize = 4 << 20 };
        await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        return new KafkaWire(socket);
    }

    /// <summary>Encodes a request frame (header v1, or v2 for flexible versions) into <paramref name="writer"/>.</summary>
    public int Encode(KafkaWriter writer, ApiKey key, short version, IKafkaMessage request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        int correlationId = Interlocked.Increment(ref _correlationId);
        int size = writer.Reserve(4);
        var header = new RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = correlationId, ClientId = ClientId };
        header.Write(writer, ApiMessageCatalog.RequestHeaderVersion(key, version));
        request.Write(writer, version);
        writer.PatchInt32(size, writer.Length - size - 4);
        return correlationId;
    }

    /// <summary>
    /// Sends an encoded frame; <paramref name="onResponse"/> runs on the receive loop with the response body after
    /// the correlation id (the memory is valid only during the call). Callers must not send concurrently.
    /// </summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> frame, Action<ReadOnlyMemory<byte>> onResponse, CancellationToken cancellationToken)
    {
        _pending.Enqueue(onResponse);
        return _stream.WriteAsync(frame, cancellationToken);
    }

    /// <summary>One request and its decoded response (admin calls; not for the hot loop).</summary>
    public async Task<TResponse> RequestAsync<TResponse>(ApiKey key, short version, IKafkaMessage request, CancellationToken cancellationToken)
        where TResponse : IKafkaMessage, new()
    {
        var done = new TaskCompletionSource<TResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var writer = new KafkaWriter(256);
        Encode(writer, key, version, request);
        short headerVersion = ApiMessageCatalog.ResponseHeaderVersion(key, version);
        await SendAsync(writer.WrittenMemory, body =>
        {
            try
            {
                var reader = new KafkaReader(body);
                if (headerVersion >= 1)
                {
                    reader.SkipTaggedFields();
                }

                var response = new TResponse();
                response.Read(ref reader, version);
                done.TrySetResult(response);
            }
            catch (KafkaProtocolException ex)
            {
                done.TrySetException(ex);
            }
        }, cancellationToken).ConfigureAwait(false);
        return await done.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] large = [];
        while (true)
        {
            ReadResult result = await _input.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            while (TryReadFrame(ref buffer, out ReadOnlySequence<byte> frame))
            {
                if (!_pending.TryDequeue(out Action<ReadOnlyMemory<byte>>? callback))
                {
                    throw new InvalidOperationException("A response arrived with no request waiting for it.");
                }

                ReadOnlyMemory<byte> body;
                if (frame.IsSingleSegment)
                {
                    body = frame.First;
                }
                else
                {
                    if (large.Length < frame.Length)
                    {
                        large = new byte[Math.Max((int)frame.Length, large.Length * 2)];
                    }

                    frame.CopyTo(large);
                    body = large.AsMemory(0, (int)frame.Length);
                }

                callback(body[4..]); // past the correlation id
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        int size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (buffer.Length < 4L + size)
        {
            return false;
        }

        frame = buffer.Slice(4, size);
        buffer = buffer.Slice(frame.End);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Shutdown(SocketShutdown.Both);
        _socket.Dispose();
        try
        {
            await _receiving.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }

        await _input.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
