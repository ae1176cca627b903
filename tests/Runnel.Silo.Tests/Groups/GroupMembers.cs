using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Groups;

/// <summary>A record a group member printed: partition, offset and value.</summary>
public sealed record GroupRecord(int Partition, long Offset, string Value);

/// <summary>
/// The real clients as consumer-group members, started as processes: the drivers in tests/interop/groups,
/// Runnel.Client's and Confluent.Kafka 2.16's (tests/Runnel.Client.GroupMember, tests/Runnel.ConfluentKafka.GroupMember).
/// </summary>
public static class GroupMembers
{
    public static string Scripts => Path.Combine(RepoPaths.Root, "tests", "interop", "groups");

    /// <summary>The Runnel.Client group member (tests/Runnel.Client.GroupMember), built with the solution.</summary>
    public static string RunnelClientMember => Path.Combine(
        RepoPaths.Root, "tests", "Runnel.Client.GroupMember", "bin", RepoPaths.Configuration, "net10.0", "Runnel.Client.GroupMember.dll");

    /// <summary>The Confluent.Kafka 2.16 group member (tests/Runnel.ConfluentKafka.GroupMember), built with the solution.</summary>
    public static string ConfluentDotnetMember => Path.Combine(
        RepoPaths.Root, "tests", "Runnel.ConfluentKafka.GroupMember", "bin", RepoPaths.Configuration, "net10.0", "Runnel.ConfluentKafka.GroupMember.dll");

    /// <summary>Starts one member of <paramref name="group"/> with client id <paramref name="clientId"/>; the caller disposes (SIGKILL) it.</summary>
    public static RunningProcess Start(string client, SiloProcess silo, string topic, string group, string clientId, int sessionTimeoutMs, string? instanceId = null)
    {
        string session = sessionTimeoutMs.ToString(CultureInfo.InvariantCulture);
        string[] common = ["--bootstrap", silo.BootstrapServers, "--topic", topic, "--group", group, "--client-id", clientId, "--session-timeout-ms", session];
        var python = new Dictionary<string, string?> { ["PYTHONUNBUFFERED"] = "1", ["PYTHONDONTWRITEBYTECODE"] = "1" };
        return client switch
        {
            // kcat -G -o would re-apply that offset on every assignment, ignoring commits; the reset policy does not.
            "kcat" => RunningProcess.Start("kcat", [
                "-b", silo.BootstrapServers, "-G", group, "-u", "-q", "-X", "auto.offset.reset=earliest",
                "-X", "client.id=" + clientId, "-X", "session.timeout.ms=" + session, "-X", "heartbeat.interval.ms=1000",
                "-X", "auto.commit.interval.ms=500", "-f", "{\"p\":%p,\"o\":%o,\"v\":\"%s\"}\\n", topic]),
            "kafka-python" => RunningProcess.Start(PythonClients.Python, [Path.Combine(Scripts, "kafka_python_group.py"), .. common], Scripts, python),
            "confluent-kafka" => RunningProcess.Start(PythonClients.Python,
                [Path.Combine(Scripts, "confluent_group.py"), .. common, .. instanceId is null ? Array.Empty<string>() : ["--instance-id", instanceId]], Scripts, python),
            "kafkajs" => RunningProcess.Start("node", [Path.Combine(Scripts, "kafkajs-group.js"), .. common], Scripts),
            "platformatic" => RunningProcess.Start("node", [Path.Combine(Scripts, "platformatic-group.mjs"), .. common], Scripts),
            "runnel-client" => RunningProcess.Start("dotnet", [RunnelClientMember, .. common]),
            "confluent-dotnet" => RunningProcess.Start("dotnet",
                [ConfluentDotnetMember, .. common, .. instanceId is null ? Array.Empty<string>() : ["--instance-id", instanceId]]),
            _ => throw new ArgumentException($"unknown client {client}", nameof(client)),
        };
    }

    /// <summary>The records a member printed so far (lines other than records are skipped).</summary>
    public static List<GroupRecord> Records(IReadOnlyList<string> lines)
    {
        var records = new List<GroupRecord>();
        foreach (var line in lines)
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.TryGetProperty("p", out var p))
            {
                records.Add(new GroupRecord(p.GetInt32(), root.GetProperty("o").GetInt64(), root.GetProperty("v").GetString()!));
            }
        }

        return records;
    }

    /// <summary>How many "assigned" events a member printed.</summary>
    public static int Assignments(IReadOnlyList<string> lines) => lines.Count(l => l.Contains("\"assigned\"", StringComparison.Ordinal));
}
