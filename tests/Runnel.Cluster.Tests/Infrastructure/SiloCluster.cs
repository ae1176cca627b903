using System.Globalization;
using Confluent.Kafka;
using Runnel.Grains.Tests;
using Runnel.Grains.Tests.BlobStorage;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cluster.Tests.Infrastructure;

/// <summary>
/// A cluster of real silo processes: an Azurite table service as Orleans' membership table, one blob folder every
/// silo shares (the blob tier and the cluster metadata), node ids 0..n-1, free ports, membership settings faster than
/// production's (a dead silo is declared so within several seconds) but not so fast that a busy test machine's
/// stalls get a live silo voted dead. Disposing kills every silo and Azurite.
/// </summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private readonly TempDirectory _azuriteFolder = new();
    private readonly TempDirectory _blobs = new();
    private readonly List<SiloProcess> _silos = [];
    private AzuriteProcess? _tables;

    private SiloCluster(string clusterId) => ClusterId = clusterId;

    public string ClusterId { get; }

    public string BlobFolder => _blobs.Path;

    public IReadOnlyList<SiloProcess> Silos => _silos;

    public SiloProcess this[int node] => _silos[node];

    /// <summary>Every silo's Kafka address, comma separated, for clients' bootstrap lists.</summary>
    public string BootstrapServers => string.Join(',', _silos.Where(s => s.IsRunning).Select(s => s.BootstrapServers));

    public static async Task<SiloCluster> StartAsync(int silos, params string[] extraArguments)
    {
        var cluster = new SiloCluster("test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            cluster._tables = await AzuriteProcess.StartNewAsync(cluster._azuriteFolder.Path, "table");
            for (int node = 0; node < silos; node++)
            {
                cluster._silos.Add(new SiloProcess(new SiloProcessOptions { NodeId = node, ExtraArguments = [.. cluster.ClusterArguments(), .. extraArguments] }));
            }

            await Task.WhenAll(cluster._silos.Select(s => s.StartAsync()));
            await cluster.WaitForBrokersAsync(silos);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every running silo's Metadata lists <paramref name="count"/> brokers (bounded: 60 s).</summary>
    public async Task WaitForBrokersAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (SiloProcess silo in _silos.Where(s => s.IsRunning))
        {
            while (true)
            {
                using IAdminClient admin = Admin(silo.BootstrapServers);
                int seen = admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Count;
                if (seen == count)
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"silo {silo.BootstrapServers} lists {seen} brokers, not {count}, after 60 s\n{silo.OutputTail()}");
                await Task.Delay(250);
            }
        }
    }

    /// <summary>The node leading each partition of <paramref name="topic"/>, as <paramref name="silo"/> answers Metadata.</summary>
    public static int[] Leaders(SiloProcess silo, string topic)
    {
        using IAdminClient admin = Admin(silo.BootstrapServers);
        TopicMetadata metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single();
        return [.. metadata.Partitions.OrderBy(p => p.PartitionId).Select(p => p.Leader)];
    }

    /// <summary>Polls <paramref name="condition"/> every 200 ms; false once <paramref name="limit"/> passed without it holding.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(200);
        }

        return true;
    }

    /// <summary>For assertion messages: each silo, whether it runs, and its warnings and errors (last 3,000 characters).</summary>
    public string Describe() => string.Join('\n', _silos.Select((s, node) =>
        $"--- silo {node} ({(s.IsRunning ? "running" : "exited")}, port {s.KafkaPort})\n" +
        ProcessResult.Tail(string.Join('\n', s.Output.Split('\n').Where(l => l.Contains("warn:", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal) || l.Contains("__consumer_offsets", StringComparison.Ordinal) || l.Contains("Runnel.Grains.Groups", StringComparison.Ordinal))), 6000)));

    public static IAdminClient Admin(string bootstrap) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap, SocketTimeoutMs = 10_000 }).Build();

    public async Task CreateTopicAsync(string topic, int partitions, Dictionary<string, string>? configs = null)
    {
        using IAdminClient admin = Admin(BootstrapServers);
        await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs }]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (SiloProcess silo in _silos)
        {
            silo.Dispose();
        }

        _tables?.Dispose();
        _blobs.Dispose();
        _azuriteFolder.Dispose();
        await Task.CompletedTask;
    }

    private string[] ClusterArguments() =>
    [
        "--clustering", "azure-table", "--clustering-connection-string", _tables!.TableConnectionString, "--cluster-id", ClusterId,
        "--blob-store", "local", "--blob-path", _blobs.Path, "--tier-interval-ms", "200",
        "--membership-probe-timeout-ms", "2000", "--membership-missed-probes", "3", "--membership-votes-for-death", "2",
        "--membership-table-refresh-ms", "1000",
    ];

    internal static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
