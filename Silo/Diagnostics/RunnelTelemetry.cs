using Microsoft.AspNetCore.Routing;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Storage;

namespace Runnel.Silo.Diagnostics;

/// <summary>
/// The silo's metrics export, left to OpenTelemetry: every Runnel meter, Orleans' meter and the runtime's go to one
/// MeterProvider, scraped in the Prometheus text format on the HTTP listener's <c>/metrics</c>, and pushed over OTLP
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (as Aspire sets it for the processes it starts).
/// </summary>
public static class RunnelTelemetry
{
    /// <summary>Orleans' runtime meter: activations, messaging, grain-call latency.</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>The standard variable that turns OTLP export on; the exporter reads the rest (protocol, headers) itself.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The standard variable that names the service; Aspire sets it to the resource's name.</summary>
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";

    /// <summary>The service name when <see cref="ServiceNameVariable"/> is not set (OpenTelemetry's own default is "unknown_service:dotnet").</summary>
    public const string DefaultServiceName = "runnel-silo";

    public const string MetricsPath = "/metrics";

    /// <summary>Every meter the silo exports. Orleans feeds its hot-path instruments (grain-call latency, messages
    /// processed) only while someone listens, and then into its own aggregators: a few interlocked adds per grain
    /// call, the rest at scrape time.</summary>
    public static IReadOnlyList<string> MeterNames { get; } =
        [SiloMetrics.MeterName, StorageMetrics.MeterName, BlobStoreMetrics.MeterName, OrleansMeterName];

    /// <summary>Registers the MeterProvider with the Prometheus exporter, and the OTLP exporter when configured.</summary>
    public static IServiceCollection AddRunnelTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        bool otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
        bool named = !string.IsNullOrWhiteSpace(configuration[ServiceNameVariable]);
        OpenTelemetry.OpenTelemetryBuilder telemetry = services.AddOpenTelemetry();
        if (!named)
        {
            // Added after the SDK's environment detector, so it would win over OTEL_SERVICE_NAME: only when unset.
            telemetry.ConfigureResource(resource => resource.AddService(DefaultServiceName));
        }

        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter([.. MeterNames]);
            // On .NET 9 and later this subscribes to the runtime's own "System.Runtime" meter (GC, JIT, thread pool).
            metrics.AddRuntimeInstrumentation();
            // No response cache: the exporter's default keeps a scrape for 300 ms, so a scrape right after a request
            // could miss it. One silo has few scrapers, and collecting costs far less than the scrape interval.
            metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
            if (otlp)
            {
                metrics.AddOtlpExporter();
            }
        });
        return services;
    }

    /// <summary>Serves the Prometheus text format (and OpenMetrics, when a scraper asks for it) on <see cref="MetricsPath"/>.</summary>
    public static IEndpointConventionBuilder MapRunnelMetrics(this IEndpointRouteBuilder endpoints)
        // The exporter maps its path for every method; a scrape is a GET (or HEAD), anything else is answered 405.
        => endpoints.MapPrometheusScrapingEndpoint(MetricsPath).WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
}
