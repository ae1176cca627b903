using Runnel.Protocol;

namespace Runnel.Silo.Kafka;

/// <summary>Answers one Kafka API. The dispatcher has already checked the version against the advertised range.</summary>
public interface IKafkaApiHandler
{
    ApiKey Key { get; }

    /// <summary>Lowest version advertised in ApiVersions; every version in the range is implemented.</summary>
    short MinVersion { get; }

    /// <summary>Highest version advertised in ApiVersions.</summary>
    short MaxVersion { get; }

    /// <summary>Decodes the body; throws <see cref="KafkaProtocolException"/> on malformed input.</summary>
    IKafkaMessage Decode(ref KafkaReader reader, short version);

    /// <summary>Answers a decoded request; a null response means none is sent (Produce with acks=0).</summary>
    ValueTask<HandlerResult> HandleAsync(RequestContext context, IKafkaMessage request, CancellationToken cancellationToken);
}

/// <summary>A response and the error it reports for metrics (the first error in it, or None).</summary>
public readonly record struct HandlerResult(IKafkaMessage? Response, ErrorCode Error);

/// <summary>Typed base of API handlers: decoding with the generated message class and a typed handle method.</summary>
public abstract class KafkaApiHandler<TRequest, TResponse> : IKafkaApiHandler
    where TRequest : IKafkaMessage, new()
    where TResponse : class, IKafkaMessage
{
    public abstract ApiKey Key { get; }

    public abstract short MinVersion { get; }

    public abstract short MaxVersion { get; }

    public IKafkaMessage Decode(ref KafkaReader reader, short version)
    {
        var request = new TRequest();
        request.Read(ref reader, version);
        return request;
    }

    public async ValueTask<HandlerResult> HandleAsync(RequestContext context, IKafkaMessage request, CancellationToken cancellationToken)
    {
        TResponse? response = await HandleAsync(context, (TRequest)request, cancellationToken).ConfigureAwait(false);
        return new HandlerResult(response, response is null ? ErrorCode.None : FirstError(response));
    }

    protected abstract ValueTask<TResponse?> HandleAsync(RequestContext context, TRequest request, CancellationToken cancellationToken);

    /// <summary>The error the metrics count this response under: the top-level error, else the first per-item error.</summary>
    protected abstract ErrorCode FirstError(TResponse response);
}

/// <summary>What a handler knows about the request beyond its body.</summary>
public sealed class RequestContext
{
    public required short ApiVersion { get; init; }

    public required int CorrelationId { get; init; }

    public string? ClientId { get; init; }

    public required ConnectionSession Session { get; init; }

    private List<IDisposable>? _leases;

    /// <summary>Keeps a pooled buffer that the response points into alive until the response is written.</summary>
    public void AddLease(IDisposable lease) => (_leases ??= new()).Add(lease);

    internal void ReleaseLeases()
    {
        if (_leases is null)
        {
            return;
        }

        foreach (IDisposable lease in _leases)
        {
            lease.Dispose();
        }

        _leases = null;
    }
}
