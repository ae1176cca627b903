using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Runnel.Client.Diagnostics;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Client.Network;

/// <summary>
/// One TCP connection to one broker. Requests are pipelined: any number may be in flight, each tagged with a
/// correlation id; the broker answers in order, so responses are matched against a FIFO of pending requests.
/// A response that does not arrive within <see cref="KafkaClientOptions.RequestTimeout"/>, a broken socket or an
/// out-of-order correlation id fail every pending request with a retriable error and close the connection; the
/// owner (<see cref="KafkaCluster"/>) opens a new one on the next call.
/// </summary>
internal sealed partial class BrokerConnection : IAsyncDisposable
{
    private const int ReadBufferSize = 64 * 1024;
    private static readonly string s_softwareVersion = typeof(BrokerConnection).Assembly.GetName().Version?.ToString(3) ?? "1.0.0";

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly BufferedStream _input;
    private readonly KafkaClientOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Queue<PendingRequest> _pending = new();
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly Timer _timeoutTimer;
    private Task _readLoop = Task.CompletedTask;
    private ApiVersionTable? _versions;
    private Exception? _failure;
    private int _nextCorrelationId;

    private BrokerConnection(BrokerEndpoint endpoint, Socket socket, KafkaClientOptions options, ILogger logger)
    {
        Endpoint = endpoint;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = new BufferedStream(_stream, ReadBufferSize);
        _options = options;
        _logger = logger;
        _timeoutTimer = new Timer(static s => ((BrokerConnection)s!).CheckTimeouts(), this, 500, 500);
    }

    public BrokerEndpoint Endpoint { get; }

    /// <summary>False once the connection failed or was closed; the cluster then replaces it.</summary>
    public bool IsAlive => _failure is null && !_closed.IsCancellationRequested;

    public ApiVersionTable Versions => _versions ?? throw new InvalidOperationException("The connection has not negotiated API versions.");

    /// <summary>Connects, starts reading and negotiates API versions (ApiVersions v3, falling back to v0).</summary>
    public static async Task<BrokerConnection> ConnectAsync(BrokerEndpoint endpoint, KafkaClientOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        BrokerConnection? connection = null;
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false);
            connection = new BrokerConnection(endpoint, socket, options, logger);
            connection._readLoop = connection.ReadLoopAsync();
            connection._versions = await connection.NegotiateAsync(timeout.Token).ConfigureAwait(false);
            ClientMetrics.Connections.Add(1);
            LogConnected(logger, endpoint);
            return connection;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or KafkaProtocolException)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new KafkaException(ErrorCode.NetworkException, $"Could not connect to broker {endpoint}: {e.Message}", e);
        }
    }

    /// <summary>The version negotiated for <paramref name="key"/>; a clear UnsupportedVersion error when none.</summary>
    public short Version(ApiKey key) => Versions.Get(key, Endpoint);

    /// <summary>Sends a request and parses its response into a new <typeparamref name="TResponse"/> (which owns its bytes).</summary>
    public async Task<TResponse> SendAsync<TResponse>(ApiKey key, IKafkaMessage request, CancellationToken cancellationToken, short version = -1, TimeSpan? timeout = null)
        where TResponse : IKafkaMessage, new()
    {
        version = version >= 0 ? version : Version(key);
        ResponseFrame frame = await SendFrameAsync(key, version, request, cancellationToken, timeout).ConfigureAwait(false);
        byte[] copy;
        try
        {
            copy = frame.Buffer.AsSpan(0, frame.Length).ToArray();
        }
        finally
        {
            frame.Release();
        }

        return Parse<TResponse>(key, version, copy);
    }

    /// <summary>
    /// Sends a request and parses its response in place: byte fields of the result point into a pooled buffer that is
    /// returned when the lease is disposed. For large responses (Fetch).
    /// </summary>
    public async Task<ResponseLease<TResponse>> SendLeasedAsync<TResponse>(ApiKey key, IKafkaMessage request, CancellationToken cancellationToken)
        where TResponse : IKafkaMessage, new()
    {
        short version = Version(key);
        ResponseFrame frame = await SendFrameAsync(key, version, request, cancellationToken).ConfigureAwait(false);
        try
        {
            return new ResponseLease<TResponse>(Parse<TResponse>(key, version, frame.Memory), frame);
        }
        catch
        {
            frame.Release();
            throw;
        }
    }

    /// <summary>
    /// Writes a request and returns once it is on the wire, with a task for its response; callers that write in
    /// order get their requests processed in that order. For responses without byte fields (parsed in place).
    /// </summary>
    public async Task<Task<TResponse>> SendPipelinedAsync<TResponse>(ApiKey key, IKafkaMessage request, CancellationToken cancellationToken)
        where TResponse : IKafkaMessage, new()
    {
        short version = Version(key);
        var pending = new PendingRequest(key, Stopwatch.GetTimestamp()) { Timeout = _options.RequestTimeout };
        using (KafkaWriter writer = Serialize(key, version, request))
        {
            await WriteAsync(writer, pending, cancellationToken).ConfigureAwait(false);
        }

        ClientMetrics.RequestsSent.Add(1, ClientMetrics.Api(_options.ClientId, ApiNames.Of(key)));
        return ReceiveInPlaceAsync<TResponse>(pending, key, version);
    }

    /// <summary>Writes a request that gets no response (Produce with acks=0).</summary>
    public async Task SendWithoutResponseAsync(ApiKey key, IKafkaMessage request, CancellationToken cancellationToken)
    {
        short version = Version(key);
        using KafkaWriter writer = Serialize(key, version, request);
        await WriteAsync(writer, null, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new KafkaException(ErrorCode.NetworkException, $"The connection to {Endpoint} was closed by the client."));
        await _timeoutTimer.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // The loop ends by failing; its error was reported to the pending requests.
        }

        _input.Dispose();
        _closed.Dispose();
        _writeLock.Dispose();
    }

    private async Task<ResponseFrame> SendFrameAsync(ApiKey key, short version, IKafkaMessage request, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using KafkaWriter writer = Serialize(key, version, request);
        var pending = new PendingRequest(key, Stopwatch.GetTimestamp()) { Timeout = timeout ?? _options.RequestTimeout };
        await WriteAsync(writer, pending, cancellationToken).ConfigureAwait(false);
        TagList tags = ClientMetrics.Api(_options.ClientId, ApiNames.Of(key));
        ClientMetrics.RequestsSent.Add(1, tags);
        try
        {
            ResponseFrame frame = await pending.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            ClientMetrics.RequestDuration.Record(Stopwatch.GetElapsedTime(pending.SentTimestamp).TotalMilliseconds, tags);
            return frame;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            pending.Abandon();
            throw;
        }
        catch (KafkaException)
        {
            ClientMetrics.RequestErrors.Add(1, tags);
            throw;
        }
    }

    private async Task<TResponse> ReceiveInPlaceAsync<TResponse>(PendingRequest pending, ApiKey key, short version)
        where TResponse : IKafkaMessage, new()
    {
        ResponseFrame frame = await pending.Task.ConfigureAwait(false);
        try
        {
            ClientMetrics.RequestDuration.Record(Stopwatch.GetElapsedTime(pending.SentTimestamp).TotalMilliseconds, ClientMetrics.Api(_options.ClientId, ApiNames.Of(key)));
            return Parse<TResponse>(key, version, frame.Memory);
        }
        finally
        {
            frame.Release();
        }
    }

    private KafkaWriter Serialize(ApiKey key, short version, IKafkaMessage request)
    {
        var writer = new KafkaWriter(512);
        try
        {
            writer.Reserve(4);
            var header = new RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = 0, ClientId = _options.ClientId };
            header.Write(writer, ApiMessageCatalog.RequestHeaderVersion(key, version));
            request.Write(writer, version);
            writer.PatchInt32(0, writer.Length - 4);
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>Assigns the correlation id, queues the pending entry and writes the frame, all under the write lock so the queue order is the wire order.</summary>
    private async Task WriteAsync(KafkaWriter writer, PendingRequest? pending, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFailed();
            int correlationId = Interlocked.Increment(ref _nextCorrelationId);
            writer.PatchInt32(8, correlationId);
            if (pending is not null)
            {
                pending.CorrelationId = correlationId;
                lock (_gate)
                {
                    _pending.Enqueue(pending);
                }
            }

            await _stream.WriteAsync(writer.WrittenMemory, _closed.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException || (e is OperationCanceledException && _closed.IsCancellationRequested))
        {
            var failure = new KafkaException(ErrorCode.NetworkException, $"Sending to broker {Endpoint} failed: {e.Message}", e);
            Fail(failure);
            throw failure;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        await Task.Yield();
        byte[] sizeBuffer = new byte[4];
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                await _input.ReadExactlyAsync(sizeBuffer, _closed.Token).ConfigureAwait(false);
                int size = BinaryPrimitives.ReadInt32BigEndian(sizeBuffer);
                if (size < 4 || size > _options.MaxResponseSize)
                {
                    throw new KafkaProtocolException($"Broker {Endpoint} sent a response frame of {size} bytes.");
                }

                byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
                var frame = new ResponseFrame(buffer, size);
                try
                {
                    await _input.ReadExactlyAsync(buffer.AsMemory(0, size), _closed.Token).ConfigureAwait(false);
                }
                catch
                {
                    frame.Release();
                    throw;
                }

                int correlationId = BinaryPrimitives.ReadInt32BigEndian(buffer);
                PendingRequest? pending;
                lock (_gate)
                {
                    _pending.TryDequeue(out pending);
                }

                if (pending is null || pending.CorrelationId != correlationId)
                {
                    frame.Release();
                    pending?.TrySetException(new KafkaException(ErrorCode.NetworkException, $"Broker {Endpoint} answered out of order."));
                    throw new KafkaProtocolException($"Broker {Endpoint} sent correlation id {correlationId}, expected {pending?.CorrelationId.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}.");
                }

                pending.Deliver(frame);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or KafkaProtocolException or EndOfStreamException)
        {
            if (!_closed.IsCancellationRequested)
            {
                LogConnectionLost(_logger, Endpoint, e.Message);
            }

            Fail(new KafkaException(ErrorCode.NetworkException, $"The connection to broker {Endpoint} was lost: {e.Message}", e));
        }
    }

    private void CheckTimeouts()
    {
        PendingRequest? oldest;
        lock (_gate)
        {
            _pending.TryPeek(out oldest);
        }

        if (oldest is not null && Stopwatch.GetElapsedTime(oldest.SentTimestamp) > oldest.Timeout)
        {
            LogRequestTimedOut(_logger, oldest.ApiKey, Endpoint, oldest.Timeout.TotalMilliseconds);
            Fail(new KafkaException(ErrorCode.RequestTimedOut,
                $"{oldest.ApiKey} to broker {Endpoint} got no response within {oldest.Timeout.TotalMilliseconds} ms; the connection was closed."));
        }
    }

    private void Fail(Exception failure)
    {
        PendingRequest[] pending;
        lock (_gate)
        {
            _failure ??= failure;
            pending = [.. _pending];
            _pending.Clear();
        }

        if (!_closed.IsCancellationRequested)
        {
            try
            {
                _closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            _socket.Dispose();
        }

        foreach (PendingRequest request in pending)
        {
            request.TrySetException(_failure);
        }
    }

    private void ThrowIfFailed()
    {
        Exception? failure = _failure;
        if (failure is not null)
        {
            throw failure as KafkaException ?? new KafkaException(ErrorCode.NetworkException, failure.Message, failure);
        }
    }

    private static TResponse Parse<TResponse>(ApiKey key, short version, ReadOnlyMemory<byte> frame)
        where TResponse : IKafkaMessage, new()
    {
        var reader = new KafkaReader(frame);
        var header = new ResponseHeader();
        header.Read(ref reader, ApiMessageCatalog.ResponseHeaderVersion(key, version));
        var response = new TResponse();
        response.Read(ref reader, version);
        return response;
    }

    private async Task<ApiVersionTable> NegotiateAsync(CancellationToken cancellationToken)
    {
        short version = ApiVersionTable.ClientRange(ApiKey.ApiVersions).Max;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var request = new ApiVersionsRequest { ClientSoftwareName = "runnel-dotnet", ClientSoftwareVersion = s_softwareVersion };
            ResponseFrame frame = await SendFrameAsync(ApiKey.ApiVersions, version, request, cancellationToken).ConfigureAwait(false);
            byte[] copy = frame.Buffer.AsSpan(0, frame.Length).ToArray();
            frame.Release();

            // The error code comes first in every version; UNSUPPORTED_VERSION answers use the v0 layout (KIP-511).
            short errorCode = copy.Length >= 6 ? BinaryPrimitives.ReadInt16BigEndian(copy.AsSpan(4)) : (short)-1;
            if (errorCode == (short)ErrorCode.UnsupportedVersion)
            {
                ApiVersionsResponse v0 = Parse<ApiVersionsResponse>(ApiKey.ApiVersions, 0, copy);
                short brokerMax = 0;
                foreach (ApiVersionsResponse.ApiVersion range in v0.ApiKeys)
                {
                    brokerMax = range.ApiKey == (short)ApiKey.ApiVersions ? range.MaxVersion : brokerMax;
                }

                version = Math.Min((short)(version - 1), brokerMax);
                continue;
            }

            ApiVersionsResponse response = Parse<ApiVersionsResponse>(ApiKey.ApiVersions, version, copy);
            KafkaErrors.ThrowIfError(response.ErrorCode, $"ApiVersions to broker {Endpoint}");
            return ApiVersionTable.FromResponse(response);
        }

        throw new KafkaException(ErrorCode.UnsupportedVersion, $"Broker {Endpoint} accepted no ApiVersions version this client knows.");
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Connected to broker {Endpoint}")]
    private static partial void LogConnected(ILogger logger, BrokerEndpoint endpoint);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Connection to broker {Endpoint} lost: {Reason}")]
    private static partial void LogConnectionLost(ILogger logger, BrokerEndpoint endpoint, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "{Api} to broker {Endpoint} timed out after {TimeoutMs} ms; closing the connection")]
    private static partial void LogRequestTimedOut(ILogger logger, ApiKey api, BrokerEndpoint endpoint, double timeoutMs);
}
