using System.CommandLine;
using Runnel.Client;
using Runnel.Client.Admin;
using Runnel.Client.Consumer;
using Runnel.Client.Producer;

namespace Runnel.Cli;

/// <summary>One command's settings from the global options, and the clients made from them.</summary>
internal sealed class CliContext
{
    public const string DefaultBrokers = "127.0.0.1:9092";
    private const string ClientId = "runnel-cli";

    private CliContext(string brokers, string? httpUrl, bool json, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Brokers = brokers;
        HttpUrl = httpUrl?.TrimEnd('/');
        Json = json;
        Timeout = timeout;
        CancellationToken = cancellationToken;
    }

    public string Brokers { get; }

    /// <summary>The silo's HTTP base address, when given; Kafka brokers other than Runnel have none.</summary>
    public string? HttpUrl { get; }

    public bool Json { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Cancelled by Ctrl+C (and SIGTERM).</summary>
    public CancellationToken CancellationToken { get; }

    public static CliContext From(ParseResult parsed, CancellationToken cancellationToken) => new(
        parsed.GetValue(GlobalOptions.Brokers) ?? DefaultBrokers,
        parsed.GetValue(GlobalOptions.Http),
        parsed.GetValue(GlobalOptions.Output) == "json",
        TimeSpan.FromSeconds(parsed.GetValue(GlobalOptions.Timeout)),
        cancellationToken);

    public KafkaAdminClient Admin() => new(Configure(new KafkaClientOptions()));

    public ProducerOptions ProducerOptions() => Configure(new ProducerOptions());

    public ConsumerOptions ConsumerOptions() => Configure(new ConsumerOptions());

    private T Configure<T>(T options)
        where T : KafkaClientOptions
    {
        options.BootstrapServers = Brokers;
        options.ClientId = ClientId;

        // One budget for a whole call: an unreachable broker fails after --timeout, not the client's 60 s.
        options.RetryTimeout = Timeout;
        options.ConnectTimeout = Timeout < options.ConnectTimeout ? Timeout : options.ConnectTimeout;
        options.RequestTimeout = Timeout < options.RequestTimeout ? Timeout : options.RequestTimeout;
        return options;
    }
}
