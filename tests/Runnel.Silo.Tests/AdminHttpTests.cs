using System.Net;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests;

/// <summary>The silo's HTTP port: /health and the Prometheus /metrics the other tests rely on.</summary>
public sealed class AdminHttpTests(SiloFixture fixture) : IClassFixture<SiloFixture>
{
    private readonly SiloProcess _silo = fixture.Silo;

    [Fact]
    public async Task HealthIsOk()
    {
        using var response = await _silo.Http.GetAsync(new Uri("health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MetricsAnswersScrapesOnly()
    {
        // HEAD is a scrape without the body; any other method on the path is refused, and near-miss paths are unknown.
        using (var head = await _silo.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "metrics")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }

        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
        {
            using var response = await _silo.Http.SendAsync(new HttpRequestMessage(method, "metrics") { Content = new StringContent("x") });
            Assert.True(response.StatusCode == HttpStatusCode.MethodNotAllowed, $"{method} /metrics answered {(int)response.StatusCode}");
        }

        foreach (var path in new[] { "metric", "metrics/extra", "metrics.txt", "prometheus" })
        {
            using var response = await _silo.Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET /{path} answered {(int)response.StatusCode}");
        }

        // A scraper that asks for OpenMetrics gets it, with the terminating # EOF that format requires.
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        request.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");
        using var openMetrics = await _silo.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, openMetrics.StatusCode);
        Assert.Equal("application/openmetrics-text", openMetrics.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("# EOF\n", await openMetrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The silo still serves the plain text after all of that.
        Assert.True((await _silo.GetMetricsAsync()).Has("runnel_kafka_connections"));
    }

    [Fact]
    public async Task UnlabelledMetricsAreExportedFromStartup()
    {
        // A fresh silo that has seen no Kafka traffic: its gauges and plain counters are exported (at 0), so a
        // scrape right after start-up already has every series and rate() has a starting point.
        using var fresh = await SiloProcess.StartNewAsync();
        var metrics = await fresh.GetMetricsAsync();
        foreach (var name in new[] { "runnel_kafka_connections", "runnel_partitions", "runnel_kafka_received_bytes_total", "runnel_kafka_sent_bytes_total" })
        {
            Assert.True(metrics.Find(name) == 0, $"{name} should be exported as 0 before any Kafka traffic:\n{metrics.Text}");
        }
    }

    [Fact]
    public async Task MetricsCountRequestsBytesConnectionsAndPartitions()
    {
        var before = await _silo.GetMetricsAsync();

        var topic = TestData.UniqueTopic("metrics");
        var connections = new List<RawKafkaConnection>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort);
                connections.Add(connection);
                Assert.Equal(KafkaErrors.None, (await connection.ApiVersionsV0Async()).ErrorCode);
            }

            await connections[0].CreateTopicOrFailAsync(topic, 3);
            var batch = RecordBatchBuilder.Build([new TestRecord("k", "v", [])], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            // One record to each partition, so the gauge counts them whether it means "partitions that exist"
            // or "partitions with an open log".
            for (var partition = 0; partition < 3; partition++)
            {
                Assert.Equal(KafkaErrors.None, (await connections[1].ProduceWhenReadyAsync(topic, partition, batch)).ErrorCode);
            }

            var during = await PollAsync(m =>
                m.Get("runnel_kafka_connections") >= before.Get("runnel_kafka_connections") + 3 &&
                m.Get("runnel_partitions") >= before.Get("runnel_partitions") + 3 &&
                m.Get("runnel_kafka_requests_total", ("api", "ApiVersions"), ("error_code", "NONE")) >=
                before.Get("runnel_kafka_requests_total", ("api", "ApiVersions"), ("error_code", "NONE")) + 3);
            foreach (var family in new[] { "runnel_kafka_connections", "runnel_partitions", "runnel_kafka_received_bytes_total", "runnel_kafka_sent_bytes_total", "runnel_kafka_requests_total" })
            {
                Assert.True(during.Has(family), $"{family} missing after Kafka traffic:\n{during.Text}");
            }

            Assert.True(during.Get("runnel_kafka_connections") >= before.Get("runnel_kafka_connections") + 3,
                $"3 connections open but the gauge went from {before.Get("runnel_kafka_connections")} to {during.Get("runnel_kafka_connections")}");
            Assert.Equal(before.Get("runnel_partitions") + 3, during.Get("runnel_partitions"));
            Assert.Equal(before.Get("runnel_kafka_requests_total", ("api", "ApiVersions"), ("error_code", "NONE")) + 3,
                during.Get("runnel_kafka_requests_total", ("api", "ApiVersions"), ("error_code", "NONE")));
            Assert.True(during.Get("runnel_kafka_requests_total", ("api", "Produce"), ("error_code", "NONE")) >=
                        before.Get("runnel_kafka_requests_total", ("api", "Produce"), ("error_code", "NONE")) + 3,
                "Produce{error_code=NONE} did not grow:\n" + during.Text);
            Assert.True(during.Get("runnel_kafka_requests_total", ("api", "CreateTopics"), ("error_code", "NONE")) >=
                        before.Get("runnel_kafka_requests_total", ("api", "CreateTopics"), ("error_code", "NONE")) + 1,
                "CreateTopics{error_code=NONE} did not grow:\n" + during.Text);
            Assert.True(during.Get("runnel_kafka_received_bytes_total") >= before.Get("runnel_kafka_received_bytes_total") + 3 * batch.Length,
                "runnel_kafka_received_bytes_total did not grow by at least the produced batch:\n" + during.Text);
            Assert.True(during.Get("runnel_kafka_sent_bytes_total") > before.Get("runnel_kafka_sent_bytes_total"),
                "runnel_kafka_sent_bytes_total did not grow:\n" + during.Text);
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }
        }

        var after = await PollAsync(m => m.Get("runnel_kafka_connections") <= before.Get("runnel_kafka_connections"));
        Assert.True(after.Get("runnel_kafka_connections") <= before.Get("runnel_kafka_connections"),
            $"the connection gauge stayed at {after.Get("runnel_kafka_connections")} after the 3 connections closed (was {before.Get("runnel_kafka_connections")})");
    }

    [Fact]
    public async Task MetricsCountRequestsByApiVersion()
    {
        const string Versions = "runnel_kafka_request_versions_total";
        var before = await _silo.GetMetricsAsync();

        await using (var connection = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort))
        {
            Assert.Equal(KafkaErrors.None, (await connection.ApiVersionsV0Async()).ErrorCode);
            Assert.Equal(KafkaErrors.None, (await connection.ApiVersionsV0Async()).ErrorCode);
            var v3 = await Protocol.GeneratedMessageClient.SendAsync<Runnel.Protocol.Messages.ApiVersionsResponse>(connection, Runnel.Protocol.ApiKey.ApiVersions, 3,
                new Runnel.Protocol.Messages.ApiVersionsRequest { ClientSoftwareName = "runnel-tests", ClientSoftwareVersion = "1.0" });
            Assert.Equal(0, v3.ErrorCode);
        }

        // A version outside the advertised range is refused before decoding and is not a version in use.
        await using (var refused = await RawKafkaConnection.ConnectAsync(_silo.KafkaPort))
        {
            await refused.SendRawAsync(WireWriter.Frame(0, 99, 1, "runnel-tests", new byte[32]));
            Assert.True((await refused.WaitForCloseAsync(TimeSpan.FromSeconds(10))).Closed, "Produce v99 did not close the connection");
        }

        var after = await PollAsync(m => m.Get(Versions, ("api", "ApiVersions"), ("version", "3")) >= before.Get(Versions, ("api", "ApiVersions"), ("version", "3")) + 1);
        Assert.Equal(before.Get(Versions, ("api", "ApiVersions"), ("version", "0")) + 2, after.Get(Versions, ("api", "ApiVersions"), ("version", "0")));
        Assert.Equal(before.Get(Versions, ("api", "ApiVersions"), ("version", "3")) + 1, after.Get(Versions, ("api", "ApiVersions"), ("version", "3")));
        Assert.Null(after.Find(Versions, ("api", "Produce"), ("version", "99")));
    }

    /// <summary>Metrics are updated asynchronously; polls (at most 5 s) until <paramref name="condition"/> holds.</summary>
    private async Task<PrometheusMetrics> PollAsync(Func<PrometheusMetrics, bool> condition)
    {
        var metrics = await _silo.GetMetricsAsync();
        for (var attempt = 0; attempt < 50 && !condition(metrics); attempt++)
        {
            await Task.Delay(100);
            metrics = await _silo.GetMetricsAsync();
        }

        return metrics;
    }
}
