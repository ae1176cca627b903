using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Connections;
using Runnel.Silo.Diagnostics;

namespace Runnel.Silo.Kafka;

/// <summary>
/// One Kafka connection: reads size-prefixed frames from the transport, has each answered by the
/// <see cref="RequestDispatcher"/> and writes the responses back in request order.
/// </summary>
/// <remarks>
/// Requests on a connection are processed one at a time, as Kafka brokers do; pipelined requests wait in the
/// transport, whose buffer limit is the per-connection back-pressure. A frame larger than that limit is copied
/// out piece by piece into a rented buffer, so it never needs the pipe to hold it whole.
/// </remarks>
public sealed partial class KafkaConnectionHandler : ConnectionHandler
{
    private const int InlineFrameLimit = 512 * 1024;

    private readonly RequestDispatcher _dispatcher;
    private readonly SiloMetrics _metrics;
    private readonly KafkaListenerOptions _options;
    private readonly ILogger<KafkaConnectionHandler> _logger;

    public KafkaConnectionHandler(RequestDispatcher dispatcher, SiloMetrics metrics, IOptions<KafkaListenerOptions> options, ILogger<KafkaConnectionHandler> logger)
    {
        _dispatcher = dispatcher;
        _metrics = metrics;
        _options = options.Value;
        _logger = logger;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        _metrics.ConnectionOpened();
        LogConnected(_logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString());
        try
        {
            var session = new ConnectionSession { ClientHost = connection.RemoteEndPoint is System.Net.IPEndPoint ip ? "/" + ip.Address : string.Empty };
            await ServeAsync(connection.Transport.Input, connection.Transport.Output, session, connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (ConnectionResetException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        catch (Exception ex)
        {
            // A bug in a handler must cost this connection only, never the silo or other connections.
            LogConnectionFailed(_logger, connection.ConnectionId, ex);
        }
        finally
        {
            _metrics.ConnectionClosed();
            LogDisconnected(_logger, connection.ConnectionId);
        }
    }

    private async Task ServeAsync(PipeReader input, PipeWriter output, ConnectionSession session, CancellationToken closed)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(closed).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;

            while (buffer.Length >= 4)
            {
                int size = ReadSize(buffer);
                if (size < 0 || size > _options.MaxRequestBytes)
                {
                    _metrics.RequestRejected(RejectReason.FrameSize);
                    LogRejected(_logger, RejectReason.FrameSize, $"frame size {size}");
                    input.AdvanceTo(buffer.End);
                    return;
                }

                if (buffer.Length >= 4L + size)
                {
                    ReadOnlySequence<byte> frame = buffer.Slice(4, size);
                    bool keepOpen = await HandleFrameAsync(frame, output, session, closed).ConfigureAwait(false);
                    buffer = buffer.Slice(frame.End);
                    if (!keepOpen)
                    {
                        input.AdvanceTo(buffer.Start);
                        return;
                    }

                    continue;
                }

                if (size > InlineFrameLimit)
                {
                    // Large frame: copy it out as it arrives so the pipe's buffer limit never has to hold it whole.
                    byte[] rented = ArrayPool<byte>.Shared.Rent(size);
                    try
                    {
                        buffer = buffer.Slice(4);
                        int filled = 0;
                        while (true)
                        {
                            int take = (int)Math.Min(buffer.Length, size - filled);
                            buffer.Slice(0, take).CopyTo(rented.AsSpan(filled));
                            filled += take;
                            input.AdvanceTo(buffer.GetPosition(take));
                            if (filled == size)
                            {
                                break;
                            }

                            if (result.IsCompleted)
                            {
                                _metrics.RequestRejected(RejectReason.TruncatedFrame);
                                return;
                            }

                            result = await input.ReadAsync(closed).ConfigureAwait(false);
                            buffer = result.Buffer;
                        }

                        bool keepOpen = await HandleFrameAsync(new ReadOnlySequence<byte>(rented, 0, size), output, session, closed).ConfigureAwait(false);
                        if (!keepOpen)
                        {
                            return;
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }

                    result = await input.ReadAsync(closed).ConfigureAwait(false);
                    buffer = result.Buffer;
                    continue;
                }

                break;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                if (!buffer.IsEmpty)
                {
                    _metrics.RequestRejected(RejectReason.TruncatedFrame);
                }

                return;
            }
        }
    }

    private async ValueTask<bool> HandleFrameAsync(ReadOnlySequence<byte> frame, PipeWriter output, ConnectionSession session, CancellationToken closed)
    {
        _metrics.BytesReceived(4 + frame.Length);
        byte[]? rented = null;
        ReadOnlyMemory<byte> memory;
        if (frame.IsSingleSegment)
        {
            memory = frame.First;
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent((int)frame.Length);
            frame.CopyTo(rented);
            memory = rented.AsMemory(0, (int)frame.Length);
        }

        try
        {
            DispatchOutcome outcome = await _dispatcher.DispatchAsync(memory, session, output, closed).ConfigureAwait(false);
            if (outcome.RejectReason is { } reason)
            {
                _metrics.RequestRejected(reason);
                LogRejected(_logger, reason, outcome.Detail);
                return false;
            }

            if (outcome.BytesWritten > 0)
            {
                _metrics.BytesSent(outcome.BytesWritten);
                FlushResult flushed = await output.FlushAsync(closed).ConfigureAwait(false);
                return !flushed.IsCompleted;
            }

            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int ReadSize(ReadOnlySequence<byte> buffer)
    {
        Span<byte> size = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(size);
        return BinaryPrimitives.ReadInt32BigEndian(size);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} from {Remote} opened")]
    private static partial void LogConnected(ILogger logger, string connectionId, string? remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed")]
    private static partial void LogDisconnected(ILogger logger, string connectionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Connection {ConnectionId} failed and was closed")]
    private static partial void LogConnectionFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a request ({Reason}: {Detail}); closing the connection")]
    private static partial void LogRejected(ILogger logger, string reason, string? detail);
}

/// <summary>Why a request was refused before it could be answered; values are the metric's reason label.</summary>
public static class RejectReason
{
    public const string FrameSize = "frame_size";
    public const string UnknownApiKey = "unknown_api_key";
    public const string UnsupportedVersion = "unsupported_version";
    public const string Malformed = "malformed";
    public const string TruncatedFrame = "truncated_frame";
}

/// <summary>Per-connection state the handlers may need (the client's address, its software name from ApiVersions v3).</summary>
public sealed class ConnectionSession
{
    /// <summary>The client's address as Kafka shows it in DescribeGroups ("/127.0.0.1").</summary>
    public string ClientHost { get; init; } = string.Empty;

    public string? ClientSoftwareName { get; set; }

    public string? ClientSoftwareVersion { get; set; }
}
