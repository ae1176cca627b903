using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Runnel.Silo.Tests.Infrastructure;

/// <summary>A record as a test means it: key, value and headers (in order).</summary>
public sealed record ExpectedRecord(string? Key, string Value, IReadOnlyList<(string Key, string Value)> Headers)
{
    /// <summary>The JSON line the Python and Node drivers read: {"k", "v", "h"}.</summary>
    public string ToJsonLine()
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Headers)
        {
            headers[key] = value;
        }

        return JsonSerializer.Serialize(new Dictionary<string, object?> { ["k"] = Key, ["v"] = Value, ["h"] = headers });
    }
}

/// <summary>A record as a client read it back.</summary>
public sealed record ConsumedRecord(long Offset, string? Key, string Value, IReadOnlyList<(string Key, string Value)> Headers, long Timestamp);

/// <summary>Deterministic record sets, compressible and free of the characters the kcat formats use.</summary>
public static class TestData
{
    private static readonly string[] s_words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"];

    public static string UniqueTopic(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    public static List<ExpectedRecord> Records(string prefix, int count, params (string Key, string Value)[] headers)
    {
        var list = new List<ExpectedRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var words = string.Join('.', Enumerable.Range(0, 6).Select(j => s_words[(i * 7 + j * 3) % s_words.Length]));
            list.Add(new ExpectedRecord($"{prefix}-key-{i:D6}", $"{prefix}-value-{i:D6}-{words}-{words}", headers));
        }

        return list;
    }

    /// <summary>Asserts that <paramref name="actual"/> is exactly <paramref name="expected"/> at offsets first.., in order.</summary>
    public static void AssertSameRecords(IReadOnlyList<ExpectedRecord> expected, IReadOnlyList<ConsumedRecord> actual, long firstOffset = 0, bool compareHeaders = true, string? context = null)
    {
        var prefix = context is null ? string.Empty : context + ": ";
        Assert.True(expected.Count == actual.Count, $"{prefix}expected {expected.Count} records, consumed {actual.Count}.");
        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            if (a.Offset != firstOffset + i || a.Key != e.Key || a.Value != e.Value ||
                (compareHeaders && !a.Headers.SequenceEqual(e.Headers)))
            {
                Assert.Fail($"{prefix}record #{i} differs.\n expected offset {firstOffset + i}, key '{e.Key}', value '{e.Value}', headers [{Format(e.Headers)}]\n" +
                            $" consumed offset {a.Offset}, key '{a.Key}', value '{a.Value}', headers [{Format(a.Headers)}]");
            }
        }
    }

    /// <summary>Asserts that a producer reported offsets first..first+count-1 for records 0..count-1.</summary>
    public static void AssertProducedOffsets(ProcessResult result, int count, long firstOffset = 0)
    {
        var offsets = new Dictionary<int, long>();
        foreach (var line in result.StdoutLines.Where(l => l.StartsWith('{')))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (!root.TryGetProperty("i", out var index))
            {
                continue;
            }

            if (root.TryGetProperty("error", out var error))
            {
                Assert.Fail($"record {index.GetInt32()} was not delivered: {error.GetString()}\n{result.Describe()}");
            }

            var offset = root.GetProperty("offset");
            offsets[index.GetInt32()] = offset.ValueKind == JsonValueKind.String
                ? long.Parse(offset.GetString()!, CultureInfo.InvariantCulture)
                : offset.GetInt64();
        }

        Assert.True(offsets.Count == count, $"the producer reported {offsets.Count} acknowledged records, {count} expected.\n{result.Describe()}");
        for (var i = 0; i < count; i++)
        {
            Assert.True(offsets[i] == firstOffset + i, $"record {i} acknowledged at offset {offsets[i]}, {firstOffset + i} expected.\n{result.Describe()}");
        }
    }

    public static string Format(IReadOnlyList<(string Key, string Value)> headers) =>
        string.Join(", ", headers.Select(h => $"{h.Key}={h.Value}"));
}

/// <summary>kcat 1.7.1 (librdkafka 2.0.2) invocations.</summary>
public static class Kcat
{
    /// <summary>Offset, timestamp, key, value, headers; tab separated, one record per line.</summary>
    public const string ConsumeFormat = "%o\t%T\t%k\t%s\t%h\n";

    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null) =>
        RunningProcess.RunAsync("kcat", arguments, stdin, timeout ?? TimeSpan.FromSeconds(120));

    /// <summary>kcat -L; fails unless it exits 0.</summary>
    public static async Task<string> ListAsync(SiloProcess silo)
    {
        var result = await RunAsync(["-L", "-b", silo.BootstrapServers, "-m", "15"], timeout: TimeSpan.FromSeconds(60));
        result.EnsureSuccess("kcat -L failed");
        return result.Stdout;
    }

    /// <summary>The partition count kcat -L reports for a topic, or null when the topic is not listed.</summary>
    public static int? PartitionCount(string listing, string topic)
    {
        var match = Regex.Match(listing, "topic \"" + Regex.Escape(topic) + "\" with (\\d+) partitions");
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>kcat -P -K: with the records as key:value lines; extra arguments go before -t.</summary>
    public static async Task<ProcessResult> ProduceAsync(SiloProcess silo, string topic, IReadOnlyList<ExpectedRecord> records, params string[] extra)
    {
        var input = new StringBuilder();
        foreach (var r in records)
        {
            input.Append(r.Key).Append(':').Append(r.Value).Append('\n');
        }

        var args = new List<string> { "-P", "-b", silo.BootstrapServers, "-K:", "-p", "0" };
        foreach (var (key, value) in records.Count > 0 ? records[0].Headers : [])
        {
            args.Add("-H");
            args.Add($"{key}={value}");
        }

        args.AddRange(extra);
        args.AddRange(["-t", topic]);
        var result = await RunAsync(args, input.ToString(), TimeSpan.FromSeconds(180));
        return result.EnsureSuccess("kcat -P failed");
    }

    /// <summary>kcat -C -e from <paramref name="offset"/> (default: beginning) to the end of partition 0.</summary>
    public static async Task<List<ConsumedRecord>> ConsumeAsync(SiloProcess silo, string topic, string offset = "beginning", params string[] extra)
    {
        var args = new List<string> { "-C", "-b", silo.BootstrapServers, "-t", topic, "-p", "0", "-o", offset, "-e", "-f", ConsumeFormat };
        args.AddRange(extra);
        var result = await RunAsync(args, timeout: TimeSpan.FromSeconds(180));
        result.EnsureSuccess("kcat -C failed");
        return Parse(result);
    }

    private static List<ConsumedRecord> Parse(ProcessResult result)
    {
        var records = new List<ConsumedRecord>();
        foreach (var line in result.StdoutLines)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split('\t');
            Assert.True(parts.Length == 5, $"unexpected kcat output line '{line}'\n{result.Describe()}");
            var headers = parts[4].Length == 0
                ? []
                : parts[4].Split(',').Select(h =>
                {
                    var eq = h.IndexOf('=', StringComparison.Ordinal);
                    return eq < 0 ? (h, string.Empty) : (h[..eq], h[(eq + 1)..]);
                }).ToList();
            records.Add(new ConsumedRecord(
                long.Parse(parts[0], CultureInfo.InvariantCulture),
                parts[2].Length == 0 ? null : parts[2],
                parts[3],
                headers,
                long.Parse(parts[1], CultureInfo.InvariantCulture)));
        }

        return records;
    }
}

/// <summary>The Python drivers in tests/interop/python, run with Debian's /usr/bin/python3.</summary>
public static class PythonClients
{
    public const string Python = "/usr/bin/python3";

    public static Task<ProcessResult> RunAsync(string script, IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null) =>
        RunningProcess.RunAsync(Python, new[] { Path.Combine(RepoPaths.PythonScripts, script) }.Concat(arguments), stdin,
            timeout ?? TimeSpan.FromSeconds(180), RepoPaths.PythonScripts,
            new Dictionary<string, string?> { ["PYTHONUNBUFFERED"] = "1", ["PYTHONDONTWRITEBYTECODE"] = "1" });

    /// <summary>kafka-python's consumer without a group, from the beginning to the end offset.</summary>
    public static async Task<List<ConsumedRecord>> KafkaPythonConsumeAsync(SiloProcess silo, string topic)
    {
        var result = await RunAsync("kafka_python_client.py", ["consume", "--bootstrap", silo.BootstrapServers, "--topic", topic, "--timeout", "120"]);
        result.EnsureSuccess("kafka-python consume failed");
        var records = new List<ConsumedRecord>();
        foreach (var line in result.StdoutLines.Where(l => l.StartsWith('{')))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var headers = root.GetProperty("headers").EnumerateArray()
                .Select(h => (h[0].GetString()!, h[1].GetString() ?? string.Empty)).ToList();
            records.Add(new ConsumedRecord(
                root.GetProperty("offset").GetInt64(),
                root.GetProperty("key").GetString(),
                root.GetProperty("value").GetString() ?? string.Empty,
                headers,
                root.GetProperty("timestamp").GetInt64()));
        }

        return records;
    }

    public static string JsonLines(IEnumerable<ExpectedRecord> records) =>
        string.Join('\n', records.Select(r => r.ToJsonLine())) + "\n";
}

/// <summary>The Node.js drivers in tests/interop/node (kafkajs, @platformatic/kafka).</summary>
public static class NodeClients
{
    public static Task<ProcessResult> RunAsync(string script, IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        Assert.True(Directory.Exists(Path.Combine(RepoPaths.NodeScripts, "node_modules")),
            $"{Path.Combine(RepoPaths.NodeScripts, "node_modules")} is missing: run ./test.sh (or npm ci in tests/interop/node) first.");
        return RunningProcess.RunAsync("node", new[] { Path.Combine(RepoPaths.NodeScripts, script) }.Concat(arguments), stdin,
            timeout ?? TimeSpan.FromSeconds(180), RepoPaths.NodeScripts);
    }
}
