using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Runnel.Client;

/// <summary>Settings shared by the producer, the consumer and the admin client.</summary>
public class KafkaClientOptions
{
    /// <summary>Default for <see cref="RequestTimeout"/>: Kafka's <c>request.timeout.ms</c> (30 s).</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Default for <see cref="MetadataMaxAge"/>: Kafka's <c>metadata.max.age.ms</c> (5 min).</summary>
    public static readonly TimeSpan DefaultMetadataMaxAge = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Comma-separated <c>host:port</c> list used to discover the cluster; after the first Metadata answer the client
    /// talks to the brokers Metadata advertises. Required.
    /// </summary>
    public string BootstrapServers { get; set; } = string.Empty;

    /// <summary>The client id sent in every request header (shows up in broker logs and metrics). Default <c>runnel-dotnet</c>.</summary>
    public string ClientId { get; set; } = "runnel-dotnet";

    /// <summary>
    /// How long one request may wait for its response. When it passes the connection is closed (responses come back in
    /// order, so a lost one poisons the connection) and every request on it fails with a retriable error.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>Time allowed for the TCP connect and the ApiVersions handshake. Default 10 s (librdkafka's <c>api.version.request.timeout.ms</c>).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Metadata is refreshed at least this often even without errors, so new partitions and leaders are noticed.</summary>
    public TimeSpan MetadataMaxAge { get; set; } = DefaultMetadataMaxAge;

    /// <summary>First wait before retrying a retriable error; doubles per attempt up to <see cref="RetryBackoffMax"/>. Default 100 ms (Kafka's <c>retry.backoff.ms</c>).</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Upper bound of the exponential back-off. Default 1 s (Kafka's <c>retry.backoff.max.ms</c>).</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a call may keep retrying retriable errors (leader moves, a broker restarting, a topic being created)
    /// before it fails with the last error. Default 60 s.
    /// </summary>
    public TimeSpan RetryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest response frame accepted from a broker; a larger size prefix closes the connection. Default 256 MiB.</summary>
    public int MaxResponseSize { get; set; } = 256 * 1024 * 1024;

    /// <summary>Where the client logs; nothing is logged by default.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            throw new ArgumentException("BootstrapServers is required (host:port[,host:port...]).", nameof(BootstrapServers));
        }

        if (RequestTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero || RetryTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), "Timeouts must be positive.");
        }
    }
}
