using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cli.Tests;

/// <summary><c>runnel cluster info|health</c>: Metadata, and the silo's HTTP endpoints where they are given.</summary>
[Collection(SiloCollection.Name)]
public sealed class ClusterCommandTests(SiloFixture fixture)
{
    private SiloProcess Silo => fixture.Silo;

    private string HttpUrl => $"http://127.0.0.1:{Silo.HttpPort}";

    [Fact]
    public async Task Info_shows_the_broker_as_controller_and_the_silos_cluster_view()
    {
        JsonElement info = await CliRunner.JsonAsync(Silo, "cluster", "info", "--http", HttpUrl);
        JsonElement broker = Assert.Single(info.GetProperty("brokers").EnumerateArray());
        Assert.Equal(Silo.KafkaPort, broker.GetProperty("port").GetInt32());
        Assert.Equal(broker.GetProperty("nodeId").GetInt32(), info.GetProperty("controller").GetInt32());
        Assert.False(string.IsNullOrEmpty(info.GetProperty("clusterId").GetString()));
        JsonElement silo = Assert.Single(info.GetProperty("http").GetProperty("silos").EnumerateArray());
        Assert.Equal("alive", silo.GetProperty("status").GetString());

        // Without --http (and a Kafka port the HTTP port cannot be derived from) it is Metadata alone, as for any Kafka broker.
        JsonElement kafkaOnly = await CliRunner.JsonAsync(Silo, "cluster", "info");
        Assert.Equal(JsonValueKind.Null, kafkaOnly.GetProperty("http").ValueKind);

        ProcessResult table = (await CliRunner.RunAsync(Silo, ["cluster", "info", "--http", HttpUrl])).EnsureSuccess();
        Assert.Contains(info.GetProperty("clusterId").GetString()!, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("alive", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_is_healthy_with_the_silos_health_endpoint_and_fails_when_that_is_unreachable()
    {
        JsonElement health = await CliRunner.JsonAsync(Silo, "cluster", "health", "--http", HttpUrl);
        Assert.True(health.GetProperty("healthy").GetBoolean());
        Assert.Equal(1, health.GetProperty("brokers").GetInt32());
        Assert.Empty(health.GetProperty("partitionsWithoutLeader").EnumerateArray());
        Assert.Equal(200, health.GetProperty("http").GetProperty("status").GetInt32());

        // An HTTP port that answers, but not 200, makes the cluster unhealthy: exit code 1.
        ProcessResult unhealthy = await CliRunner.RunAsync(Silo, ["cluster", "health", "--http", HttpUrl + "/no-such-prefix", "--output", "json"]);
        Assert.Equal(1, unhealthy.ExitCode);
        JsonElement report = JsonDocument.Parse(unhealthy.Stdout).RootElement;
        Assert.False(report.GetProperty("healthy").GetBoolean());
        Assert.Equal(404, report.GetProperty("http").GetProperty("status").GetInt32());

        string closed = $"http://127.0.0.1:{ClosedPort()}";
        (await CliRunner.RunAsync(Silo, ["cluster", "health", "--http", closed, "--timeout", "3"])).AssertFails(3, "HTTP_UNREACHABLE");
        (await CliRunner.RunAsync(Silo, ["cluster", "info", "--http", "ftp://x"])).AssertFails(2, "USAGE");
    }

    [Fact]
    public async Task An_unreachable_broker_is_exit_code_3_with_the_address_named()
    {
        string brokers = $"127.0.0.1:{ClosedPort()}";
        var started = DateTime.UtcNow;
        ProcessResult result = (await CliRunner.RunAsync(null, ["--brokers", brokers, "--timeout", "2", "cluster", "info"])).AssertFails(3, "NETWORK_EXCEPTION");
        Assert.Contains(brokers, result.Stderr, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "--timeout bounds the retries");

        // RUNNEL_BROKERS is the default for --brokers.
        ProcessResult fromEnvironment = await CliRunner.RunAsync(null, ["topic", "list", "--timeout", "1"], environment: new Dictionary<string, string?> { ["RUNNEL_BROKERS"] = brokers });
        fromEnvironment.AssertFails(3, "NETWORK_EXCEPTION");
        Assert.Contains(brokers, fromEnvironment.Stderr, StringComparison.Ordinal);
        JsonElement viaEnvironment = JsonDocument.Parse((await CliRunner.RunAsync(null, ["topic", "list", "-o", "json"],
            environment: new Dictionary<string, string?> { ["RUNNEL_BROKERS"] = Silo.BootstrapServers })).EnsureSuccess().Stdout).RootElement;
        Assert.Equal(JsonValueKind.Array, viaEnvironment.ValueKind);
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
