using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Runnel.Client.Diagnostics;

/// <summary>
/// The client's instruments on the <c>Runnel.Client</c> meter. Listen with a <see cref="MeterListener"/>, OpenTelemetry
/// (<c>AddMeter("Runnel.Client")</c>) or <c>dotnet-counters</c>. Tags carry the client id and the API or topic.
/// </summary>
internal static class ClientMetrics
{
    public const string MeterName = "Runnel.Client";

    private static readonly Meter s_meter = new(MeterName, "1.0");

    public static readonly Counter<long> RequestsSent = s_meter.CreateCounter<long>("runnel.client.requests", "{request}", "Requests sent, by API.");
    public static readonly Counter<long> RequestErrors = s_meter.CreateCounter<long>("runnel.client.request.errors", "{request}", "Requests that failed on the network or timed out, by API.");
    public static readonly Histogram<double> RequestDuration = s_meter.CreateHistogram<double>("runnel.client.request.duration", "ms", "Time from send to response, by API.");
    public static readonly Counter<long> Connections = s_meter.CreateCounter<long>("runnel.client.connections", "{connection}", "Broker connections opened.");
    public static readonly Counter<long> RecordsProduced = s_meter.CreateCounter<long>("runnel.client.producer.records", "{record}", "Records acknowledged by a broker.");
    public static readonly Counter<long> BytesProduced = s_meter.CreateCounter<long>("runnel.client.producer.bytes", "By", "Record batch bytes acknowledged by a broker.");
    public static readonly Counter<long> ProduceRetries = s_meter.CreateCounter<long>("runnel.client.producer.retries", "{batch}", "Record batches sent again after a retriable error.");
    public static readonly Counter<long> ProduceFailures = s_meter.CreateCounter<long>("runnel.client.producer.failures", "{record}", "Records whose delivery failed.");
    public static readonly Counter<long> RecordsConsumed = s_meter.CreateCounter<long>("runnel.client.consumer.records", "{record}", "Records handed to the application.");
    public static readonly Counter<long> MetadataRefreshes = s_meter.CreateCounter<long>("runnel.client.metadata.refreshes", "{request}", "Metadata refreshes.");

    public static TagList Api(string clientId, string api) => new() { { "client.id", clientId }, { "api", api } };
}
