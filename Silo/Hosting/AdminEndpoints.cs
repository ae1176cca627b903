using Runnel.Silo.Diagnostics;

namespace Runnel.Silo.Hosting;

/// <summary>The silo's HTTP surface: /health for probes and /metrics in the Prometheus text format.</summary>
public static class AdminEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapHealthChecks("/health");
        app.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Scrape(), "text/plain; version=0.0.4; charset=utf-8"));
    }
}
