using Runnel.Silo.Diagnostics;

namespace Runnel.Silo.Hosting;

/// <summary>The silo's HTTP surface: /health for probes and /metrics in the Prometheus text format (OpenTelemetry's exporter).</summary>
public static class AdminEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapHealthChecks("/health");
        app.MapRunnelMetrics();
    }
}
