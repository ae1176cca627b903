using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Runnel.Grains.BlobStorage;
using Runnel.Grains.Tests;
using Runnel.Silo.Tests.Infrastructure;
using Runnel.Silo.Tests.Tiering;

namespace Runnel.Silo.Tests;

/// <summary>
/// The silo's metrics go out through OpenTelemetry: /metrics is the OpenTelemetry Prometheus exporter's text
/// format with every metric README's table documents (and no undocumented runnel_* one), each from its meter, after
/// traffic that makes every one of them move; and OTLP export starts when OTEL_EXPORTER_OTLP_ENDPOINT is set.
/// </summary>
public sealed partial class MetricsExportTests
{
    private const int RecordCount = 3000;
    private const long CacheBytes = 64 * 1024;

    [Fact]
    public async Task EveryDocumentedMetricIsScrapedFromItsMeterAfterTraffic()
    {
        var documented = DocumentedMetrics();
        Assert.True(documented.Count >= 20, $"README's metrics table lists only {documented.Count} metrics");

        using var blobs = new TempDirectory();
        await using var store = new LocalFolderBlobStore(blobs.Path);
        // A hot cache far below the data produced and no local retention, so reading from the start goes to the blob tier.
        using var silo = await SiloProcess.StartNewAsync(new SiloProcessOptions
        {
            ExtraArguments = TieringTestSupport.LocalStoreArguments(blobs.Path, "--retention-check-interval-ms", "300", "--cache-bytes", CacheBytes.ToString(CultureInfo.InvariantCulture)),
        });
        string topic = TestData.UniqueTopic("metrics-export");
        string[] configs = ["segment.bytes=16384", "segment.ms=1000", "local.retention.bytes=0"];
        await TieringTestSupport.CreateTopicAsync(silo, topic, configs);
        var records = TestData.Records("m", RecordCount);
        await TieringTestSupport.ProduceAsync(silo, topic, records);
        await TieringTestSupport.WaitForManifestAsync(store, RecordCount, TimeSpan.FromSeconds(60), silo);

        var consumed = await Kcat.ConsumeAsync(silo, topic);
        TieringTestSupport.AssertRecords(records, consumed, 0, "reading the tiered partition");

        // Retention removes the oldest segments' blobs; a frame of int.MaxValue bytes is refused.
        await TieringTestSupport.SetTopicConfigsAsync(silo, topic, [.. configs, "retention.bytes=40000"]);
        await using (var connection = await RawKafkaConnection.ConnectAsync(silo.KafkaPort))
        {
            var prefix = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(prefix, int.MaxValue);
            await connection.SendRawAsync(prefix);
            Assert.True((await connection.WaitForCloseAsync(TimeSpan.FromSeconds(10))).Closed, "an oversized frame must close the connection");
        }

        var metrics = await PollAsync(silo, m => m.Get("runnel_log_tier_deleted_total", ("reason", "retention")) > 0 &&
                                                 m.Get("runnel_kafka_requests_rejected_total", ("reason", "frame_size")) > 0);

        using (var response = await silo.Http.GetAsync(new Uri("metrics", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        }

        foreach (var (name, type) in documented)
        {
            // A histogram family has no sample of its own name, only _bucket, _sum and _count.
            string sample = type == "histogram" ? name + "_count" : name;
            Assert.True(metrics.Has(sample), $"{name} is documented but not exported after the traffic:\n{metrics.Text}");
            Assert.True(metrics.TypeOf(name) == type, $"{name} is documented as a {type}; the exporter says {metrics.TypeOf(name) ?? "nothing"}");
            Assert.Equal(MeterOf(name), metrics.ScopeOf(sample));
        }

        var undocumented = metrics.SampleKeys.Select(k => k.Split('{')[0])
            .Where(n => n.StartsWith("runnel_", StringComparison.Ordinal))
            .Select(n => Regex.Replace(n, "_(bucket|sum|count)$", string.Empty))
            .Where(n => !documented.ContainsKey(n))
            .Distinct().ToList();
        Assert.True(undocumented.Count == 0, "exported but not in README's metrics table: " + string.Join(", ", undocumented));

        // The traffic shows in the values, not only in the names.
        Assert.True(metrics.Get("runnel_kafka_requests_total", ("api", "Produce"), ("error_code", "NONE")) > 0, "no Produce counted");
        Assert.True(metrics.Get("runnel_kafka_requests_total", ("api", "Fetch"), ("error_code", "NONE")) > 0, "no Fetch counted");
        Assert.Equal(1, metrics.Get("runnel_kafka_requests_rejected_total", ("reason", "frame_size")));
        Assert.True(metrics.Get("runnel_kafka_received_bytes_total") > RecordCount, "the produced records' bytes were not counted");
        Assert.True(metrics.Get("runnel_kafka_sent_bytes_total") > RecordCount, "the fetched records' bytes were not counted");
        Assert.True(metrics.Get("runnel_log_tier_uploads_total") >= 10, "the segments' uploads were not counted");
        Assert.True(metrics.Sum("runnel_log_cold_reads_total") > 0 && metrics.Sum("runnel_log_cold_read_duration_seconds_count") > 0, "no cold read counted");
        Assert.True(metrics.Sum("runnel_blob_sent_bytes_total") >= metrics.Get("runnel_log_tier_upload_bytes_total"), "uploaded bytes missing from the blob store's count");
        Assert.Equal(CacheBytes, metrics.Get("runnel_log_cache_budget_bytes"));

        // The rest of the export: the resource, the runtime's meter and Orleans'.
        Assert.Equal(1, metrics.Sum("target_info", ("service_name", RunnelServiceName)));
        Assert.Equal("System.Runtime", metrics.ScopeOf("dotnet_gc_collections_total"));
        Assert.Contains("Microsoft.Orleans", metrics.Scopes);
    }

    [Fact]
    public async Task MetricsArePushedOverOtlpWhenTheEndpointVariableIsSet()
    {
        int port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        const string serviceName = "runnel-otlp-test";
        using var silo = await SiloProcess.StartNewAsync(new SiloProcessOptions
        {
            Environment = new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
                ["OTEL_SERVICE_NAME"] = serviceName,
            },
        });

        // OTLP/protobuf carries names as plain UTF-8 strings, so the payload can be searched without a decoder.
        var clock = Stopwatch.StartNew();
        var seen = new List<string>();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var next = collector.GetContextAsync();
            if (await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(30) - clock.Elapsed)) != next)
            {
                break;
            }

            var context = await next;
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            context.Response.StatusCode = 200;
            context.Response.Close();
            string payload = Encoding.UTF8.GetString(body.ToArray());
            seen.Add($"{context.Request.HttpMethod} {context.Request.Url?.AbsolutePath} {context.Request.ContentType} {body.Length} bytes");
            if (context.Request.HttpMethod == "POST" && context.Request.Url?.AbsolutePath == "/v1/metrics" &&
                context.Request.ContentType == "application/x-protobuf" &&
                payload.Contains(serviceName, StringComparison.Ordinal) &&
                payload.Contains(SiloMeterName, StringComparison.Ordinal) &&
                payload.Contains("runnel.kafka.connections", StringComparison.Ordinal))
            {
                // The variable's name wins over the default one.
                Assert.DoesNotContain(RunnelServiceName, payload, StringComparison.Ordinal);
                return;
            }
        }

        Assert.Fail($"no OTLP metrics export with the silo's meter arrived in 30 s; requests seen: [{string.Join("; ", seen)}]\n{silo.OutputTail()}");
    }

    private const string RunnelServiceName = "runnel-silo";
    private const string SiloMeterName = "Runnel.Silo";

    /// <summary>The meter each documented metric comes from, by its name's prefix.</summary>
    private static string MeterOf(string name) => name switch
    {
        _ when name.StartsWith("runnel_log_", StringComparison.Ordinal) => "Runnel.Storage",
        _ when name.StartsWith("runnel_blob_", StringComparison.Ordinal) => "Runnel.BlobStorage",
        _ => SiloMeterName,
    };

    /// <summary>The rows of README's metrics table: name and type.</summary>
    private static Dictionary<string, string> DocumentedMetrics()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        int start = readme.IndexOf("\n## Metrics\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no '## Metrics' section");
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        string section = end < 0 ? readme[start..] : readme[start..end];
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match row in TableRow().Matches(section))
        {
            rows.Add(row.Groups["name"].Value, row.Groups["type"].Value);
        }

        return rows;
    }

    [GeneratedRegex(@"^\| `(?<name>runnel_[a-z_]+)` \| (?<type>counter|gauge|histogram) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    private static async Task<PrometheusMetrics> PollAsync(SiloProcess silo, Func<PrometheusMetrics, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        var metrics = await silo.GetMetricsAsync();
        while (!condition(metrics) && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(250);
            metrics = await silo.GetMetricsAsync();
        }

        return metrics;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
