using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Silo.Diagnostics;
using Runnel.Silo.Kafka.Handlers;

namespace Runnel.Silo.Kafka;

/// <summary>
/// Decodes a request frame's header, routes it to its API handler and writes the size-prefixed response.
/// Malformed frames, unknown API keys and unsupported versions are rejected (the connection closes) — except
/// ApiVersions, which answers an unknown version with UNSUPPORTED_VERSION in the v0 layout (KIP-511), so a
/// client can learn the supported range and retry.
/// </summary>
public sealed class RequestDispatcher
{
    private readonly IKafkaApiHandler?[] _handlers;
    private readonly SiloMetrics _metrics;

    public RequestDispatcher(IEnumerable<IKafkaApiHandler> handlers, SiloMetrics metrics)
    {
        _metrics = metrics;
        _handlers = new IKafkaApiHandler?[128];
        foreach (IKafkaApiHandler handler in handlers)
        {
            _handlers[(int)handler.Key] = handler;
        }
    }

    /// <summary>The handlers in API key order, for ApiVersions.</summary>
    public IEnumerable<IKafkaApiHandler> Handlers
    {
        get
        {
            foreach (IKafkaApiHandler? handler in _handlers)
            {
                if (handler is not null)
                {
                    yield return handler;
                }
            }
        }
    }

    public async ValueTask<DispatchOutcome> DispatchAsync(ReadOnlyMemory<byte> frame, ConnectionSession session, PipeWriter output, CancellationToken cancellationToken)
    {
        if (frame.Length < 8)
        {
            return DispatchOutcome.Reject(RejectReason.Malformed, $"frame of {frame.Length} bytes is shorter than a request header");
        }

        short apiKey = BinaryPrimitives.ReadInt16BigEndian(frame.Span);
        short apiVersion = BinaryPrimitives.ReadInt16BigEndian(frame.Span[2..]);
        int correlationId = BinaryPrimitives.ReadInt32BigEndian(frame.Span[4..]);
        IKafkaApiHandler? handler = apiKey >= 0 && apiKey < _handlers.Length ? _handlers[apiKey] : null;
        if (handler is null)
        {
            return DispatchOutcome.Reject(RejectReason.UnknownApiKey, $"API key {apiKey}");
        }

        if (apiVersion < handler.MinVersion || apiVersion > handler.MaxVersion)
        {
            if (handler.Key == ApiKey.ApiVersions)
            {
                return WriteResponse(output, ApiKey.ApiVersions, 0, correlationId, ApiVersionsHandler.UnsupportedVersionResponse(this), ErrorCode.UnsupportedVersion);
            }

            return DispatchOutcome.Reject(RejectReason.UnsupportedVersion, $"{handler.Key} v{apiVersion} (supported {handler.MinVersion}-{handler.MaxVersion})");
        }

        _metrics.RequestVersion(apiKey, apiVersion);

        IKafkaMessage request;
        RequestHeader header;
        try
        {
            (header, request) = Decode(frame, handler, apiVersion);
        }
        catch (KafkaProtocolException ex)
        {
            return DispatchOutcome.Reject(RejectReason.Malformed, $"{handler.Key} v{apiVersion}: {ex.Message}");
        }

        var context = new RequestContext
        {
            ApiVersion = apiVersion,
            CorrelationId = correlationId,
            ClientId = header.ClientId,
            Session = session,
        };

        try
        {
            HandlerResult result = await handler.HandleAsync(context, request, cancellationToken).ConfigureAwait(false);
            if (result.Response is null)
            {
                _metrics.RequestAnswered(apiKey, result.Error);
                return DispatchOutcome.Answered(0);
            }

            return WriteResponse(output, handler.Key, apiVersion, correlationId, result.Response, result.Error);
        }
        finally
        {
            context.ReleaseLeases();
        }
    }

    private static (RequestHeader, IKafkaMessage) Decode(ReadOnlyMemory<byte> frame, IKafkaApiHandler handler, short apiVersion)
    {
        var reader = new KafkaReader(frame);
        var header = new RequestHeader();
        header.Read(ref reader, ApiMessageCatalog.RequestHeaderVersion(handler.Key, apiVersion));
        IKafkaMessage request = handler.Decode(ref reader, apiVersion);
        return (header, request);
    }

    private DispatchOutcome WriteResponse(PipeWriter output, ApiKey key, short version, int correlationId, IKafkaMessage response, ErrorCode error)
    {
        if (response is IPipeResponse direct)
        {
            // Large responses (Fetch) write themselves into the pipe; there is no intermediate buffer to fill and copy.
            long written = direct.WriteFrame(output, version, correlationId, ApiMessageCatalog.ResponseHeaderVersion(key, version) >= 1);
            _metrics.RequestAnswered((short)key, error);
            return DispatchOutcome.Answered(written);
        }

        using var writer = new KafkaWriter();
        int sizePosition = writer.Reserve(4);
        writer.WriteInt32(correlationId);
        if (ApiMessageCatalog.ResponseHeaderVersion(key, version) >= 1)
        {
            writer.WriteEmptyTaggedFields();
        }

        response.Write(writer, version);
        writer.PatchInt32(sizePosition, writer.Length - 4);
        output.Write(writer.WrittenSpan);
        _metrics.RequestAnswered((short)key, error);
        return DispatchOutcome.Answered(writer.Length);
    }
}

/// <summary>What happened to one frame: answered (with the bytes written, 0 for no response) or rejected.</summary>
public readonly record struct DispatchOutcome(long BytesWritten, string? RejectReason, string? Detail)
{
    public static DispatchOutcome Answered(long bytes) => new(bytes, null, null);

    public static DispatchOutcome Reject(string reason, string detail) => new(0, reason, detail);
}
