using System.CommandLine;
using System.Text.Json.Nodes;
using Runnel.Cli.Output;
using Runnel.Client.Admin;

namespace Runnel.Cli.Commands;

/// <summary><c>runnel cluster info|health</c>: what Metadata says about the cluster, plus the silos' HTTP view where there is one.</summary>
internal static class ClusterCommands
{
    public static Command Create()
    {
        var cluster = new Command("cluster", "The cluster: brokers, controller, health");
        cluster.Subcommands.Add(new Command("info", "Cluster id, controller and brokers (Metadata); with a silo's HTTP port, its /cluster view too").WithAction(InfoAsync));
        cluster.Subcommands.Add(new Command("health", "Whether every broker answers and every partition has a leader; with a silo's HTTP port, its /health too. Exit code 1 when unhealthy").WithAction(HealthAsync));
        return cluster;
    }

    private static async Task InfoAsync(CliContext context, ParseResult parsed)
    {
        await using KafkaAdminClient admin = context.Admin();
        ClusterDescription description = await admin.DescribeClusterAsync(context.CancellationToken).ConfigureAwait(false);
        SiloHttp? http = SiloHttp.For(context);
        JsonNode? silos = http is null ? null : await http.GetJsonAsync("/cluster", context.CancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            Printer.Json(new JsonObject
            {
                ["clusterId"] = description.ClusterId,
                ["controller"] = description.ControllerId,
                ["brokers"] = new JsonArray([.. description.Brokers.Select(b => (JsonNode)new JsonObject { ["nodeId"] = b.NodeId, ["host"] = b.Host, ["port"] = b.Port })]),
                ["http"] = silos?.DeepClone(),
            });
            return;
        }

        Printer.Properties([("cluster id", description.ClusterId), ("controller", description.ControllerId), ("brokers", description.Brokers.Count)]);
        Printer.Table("brokers", ["node", "host", "port", "controller"],
            description.Brokers.Select(b => (IReadOnlyList<object?>)[b.NodeId, b.Host, b.Port, b.NodeId == description.ControllerId ? "yes" : string.Empty]));
        if (silos?["silos"] is JsonArray siloArray)
        {
            Printer.Table($"silos ({http!.BaseUrl}/cluster)", ["node", "host", "port", "status", "partitions led"],
                siloArray.Select(s => (IReadOnlyList<object?>)[s?["nodeId"]?.ToString(), s?["host"]?.ToString(), s?["port"]?.ToString(), s?["status"]?.ToString(), s?["partitionsLed"]?.ToString()]));
        }
    }

    private static async Task<int> HealthAsync(CliContext context, ParseResult parsed)
    {
        await using KafkaAdminClient admin = context.Admin();
        ClusterDescription description = await admin.DescribeClusterAsync(context.CancellationToken).ConfigureAwait(false);
        IReadOnlyList<TopicDescription> topics = await admin.DescribeTopicsAsync(null, context.CancellationToken).ConfigureAwait(false);
        var brokers = description.Brokers.Select(b => b.NodeId).ToHashSet();
        var leaderless = topics.SelectMany(t => t.Partitions.Where(p => !brokers.Contains(p.Leader)).Select(p => $"{t.Name}[{p.Partition}]")).ToList();
        SiloHttp? http = SiloHttp.For(context);
        (int Status, string Body)? siloHealth = http is null ? null : await http.GetAsync("/health", context.CancellationToken).ConfigureAwait(false);
        bool healthy = leaderless.Count == 0 && description.Brokers.Count > 0 && siloHealth is null or { Status: 200 };
        if (context.Json)
        {
            Printer.Json(new JsonObject
            {
                ["healthy"] = healthy,
                ["brokers"] = description.Brokers.Count,
                ["partitions"] = topics.Sum(t => t.Partitions.Count),
                ["partitionsWithoutLeader"] = new JsonArray([.. leaderless.Select(p => (JsonNode)p)]),
                ["http"] = siloHealth is { } h ? new JsonObject { ["url"] = http!.BaseUrl + "/health", ["status"] = h.Status, ["body"] = h.Body.Trim() } : null,
            });
        }
        else
        {
            Printer.Properties([
                ("status", healthy ? "healthy" : "UNHEALTHY"),
                ("brokers", description.Brokers.Count),
                ("partitions", topics.Sum(t => t.Partitions.Count)),
                ("partitions without a leader", leaderless.Count == 0 ? "none" : string.Join(", ", leaderless)),
                ("silo /health", siloHealth is { } h ? $"{h.Status} {h.Body.Trim()}" : "no HTTP endpoint"),
            ]);
        }

        return healthy ? ExitCodes.Ok : ExitCodes.KafkaError;
    }
}
