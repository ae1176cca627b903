using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Cluster.Tests.Infrastructure;

/// <summary>A record sent to a partition of a topic: the input of the interop drivers ("p" names the partition).</summary>
public sealed record SpreadRecord(int Partition, string Key, string Value, string Client)
{
    public string ToJsonLine() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["k"] = Key,
        ["v"] = Value,
        ["h"] = new Dictionary<string, string> { ["client"] = Client },
        ["p"] = Partition,
    });
}

/// <summary>A record as a client read it back, with its partition; headers only where the reader prints them.</summary>
public sealed record ReadRecord(int Partition, long Offset, string? Key, string Value, string? ClientHeader);

/// <summary>
/// Keyed records spread over every partition of a topic, and the checks of what a client acknowledged and read back:
/// per partition, offsets dense from 0 in the order the records were sent, each with its key, value and header.
/// </summary>
public static class SpreadRecords
{
    public static List<SpreadRecord> Create(string client, int partitions, int perPartition) =>
        [.. Enumerable.Range(0, partitions * perPartition).Select(i => new SpreadRecord(i % partitions, $"{client}-key-{i:D5}", $"{client}-value-{i:D5}-{i % partitions}", client))];

    public static string JsonLines(IEnumerable<SpreadRecord> records) => string.Join('\n', records.Select(r => r.ToJsonLine())) + "\n";

    /// <summary>The producer reported each record at its partition, at the next offset of that partition.</summary>
    public static void AssertAcknowledged(IReadOnlyList<SpreadRecord> records, ProcessResult produced)
    {
        var acks = new Dictionary<int, (int Partition, long Offset)>();
        foreach (string line in produced.StdoutLines.Where(l => l.StartsWith('{')))
        {
            using var doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            int index = root.GetProperty("i").GetInt32();
            Assert.False(root.TryGetProperty("error", out JsonElement error), $"record {index} was not delivered: {error}\n{produced.Describe()}");
            JsonElement offset = root.GetProperty("offset");
            acks[index] = (root.GetProperty("partition").GetInt32(),
                offset.ValueKind == JsonValueKind.String ? long.Parse(offset.GetString()!, CultureInfo.InvariantCulture) : offset.GetInt64());
        }

        Assert.True(acks.Count == records.Count, $"{acks.Count} of {records.Count} records acknowledged\n{produced.Describe()}");
        var next = new Dictionary<int, long>();
        for (int i = 0; i < records.Count; i++)
        {
            long expected = next.GetValueOrDefault(records[i].Partition);
            Assert.True(acks[i] == (records[i].Partition, expected), $"record {i} acknowledged at {acks[i]}, expected ({records[i].Partition}, {expected})\n{produced.Describe()}");
            next[records[i].Partition] = expected + 1;
        }
    }

    /// <summary>Every partition holds exactly its records, at offsets 0.. in the order they were sent, read in offset order.</summary>
    public static void AssertReadBack(IReadOnlyList<SpreadRecord> records, IReadOnlyList<ReadRecord> read, string context)
    {
        foreach (IGrouping<int, SpreadRecord> partition in records.GroupBy(r => r.Partition))
        {
            var expected = partition.ToList();
            var actual = read.Where(r => r.Partition == partition.Key).ToList();
            Assert.True(expected.Count == actual.Count, $"{context}: partition {partition.Key} read {actual.Count} records, {expected.Count} expected");
            for (int i = 0; i < expected.Count; i++)
            {
                SpreadRecord e = expected[i];
                ReadRecord a = actual[i];
                Assert.True(a.Offset == i && a.Key == e.Key && a.Value == e.Value && (a.ClientHeader is null || a.ClientHeader == e.Client),
                    $"{context}: partition {partition.Key} record #{i}: expected offset {i} key {e.Key} value {e.Value}, read {a}");
            }
        }

        Assert.True(read.Count == records.Count, $"{context}: read {read.Count} records, {records.Count} expected");
    }

    /// <summary>The lines of the python drivers' consume: {"partition", "offset", "key", "value", "headers"}.</summary>
    public static List<ReadRecord> FromPythonConsume(ProcessResult result) =>
        [.. result.StdoutLines.Where(l => l.StartsWith('{')).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            string? header = root.GetProperty("headers").EnumerateArray().Where(h => h[0].GetString() == "client").Select(h => h[1].GetString()).FirstOrDefault();
            return new ReadRecord(root.GetProperty("partition").GetInt32(), root.GetProperty("offset").GetInt64(), root.GetProperty("key").GetString(),
                root.GetProperty("value").GetString()!, header ?? string.Empty);
        })];

    /// <summary>The lines of the group members: {"p", "o", "k", "v"} (no headers).</summary>
    public static List<ReadRecord> FromGroupMember(IEnumerable<string> lines)
    {
        var records = new List<ReadRecord>();
        foreach (string line in lines.Where(l => l.StartsWith('{')))
        {
            using var doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            if (root.TryGetProperty("p", out JsonElement p))
            {
                records.Add(new ReadRecord(p.GetInt32(), root.GetProperty("o").GetInt64(),
                    root.TryGetProperty("k", out JsonElement k) ? k.GetString() : null, root.GetProperty("v").GetString()!, null));
            }
        }

        return records;
    }
}
