using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Client.Tests;

/// <summary>
/// The external clients of the interop tests behind one name each: kcat (librdkafka 2.0.2), kafka-python 2.0.2,
/// confluent-kafka-python 1.7.0 (librdkafka 2.0.2 again, through Python) and kafkajs 2.2.4, each producing with a
/// codec and consuming a topic's partition 0 from the beginning.
/// </summary>
internal static class InteropClients
{
    public const string KcatName = "kcat";
    public const string KafkaPython = "kafka-python";
    public const string ConfluentKafka = "confluent-kafka";
    public const string KafkaJs = "kafkajs";

    public static readonly string[] All = [KcatName, KafkaPython, ConfluentKafka, KafkaJs];

    public static readonly string[] Codecs = ["none", "gzip", "snappy", "lz4", "zstd"];

    /// <summary>Kafka's number for a codec name: its index in <see cref="Codecs"/>.</summary>
    public static int CodecId(string codec) => Array.IndexOf(Codecs, codec);

    /// <summary>Produces <paramref name="records"/> to partition 0 with <paramref name="codec"/> and checks every record was acknowledged in order.</summary>
    public static async Task ProduceAsync(string client, SiloProcess silo, string topic, IReadOnlyList<ExpectedRecord> records, string codec)
    {
        string[] common = ["produce", "--bootstrap", silo.BootstrapServers, "--topic", topic, "--compression", codec];
        string lines = PythonClients.JsonLines(records);
        switch (client)
        {
            case KcatName:
                await Kcat.ProduceAsync(silo, topic, records, "-z", codec);
                return;
            case KafkaPython:
                ProcessResult kp = (await PythonClients.RunAsync("kafka_python_client.py", common, lines)).EnsureSuccess($"kafka-python produce with {codec} failed");
                TestData.AssertProducedOffsets(kp, records.Count);
                return;
            case ConfluentKafka:
                ProcessResult ck = (await PythonClients.RunAsync("confluent_client.py", common, lines)).EnsureSuccess($"confluent-kafka produce with {codec} failed");
                TestData.AssertProducedOffsets(ck, records.Count);
                return;
            case KafkaJs:
                ProcessResult kj = (await NodeClients.RunAsync("kafkajs-client.js", [.. common, "--batch", "100"], lines)).EnsureSuccess($"kafkajs produce with {codec} failed");
                TestData.AssertProducedOffsets(kj, records.Count);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(client), client, "unknown client");
        }
    }

    /// <summary>Partition 0 of <paramref name="topic"/> as <paramref name="client"/> reads it: <paramref name="count"/> records from the beginning.</summary>
    public static async Task<List<ConsumedRecord>> ConsumeAsync(string client, SiloProcess silo, string topic, int count)
    {
        switch (client)
        {
            case KcatName:
                return await Kcat.ConsumeAsync(silo, topic);
            case KafkaPython:
                return await PythonClients.KafkaPythonConsumeAsync(silo, topic);
            case ConfluentKafka:
                ProcessResult ck = (await PythonClients.RunAsync("confluent_client.py", ["consume", "--bootstrap", silo.BootstrapServers, "--topic", topic]))
                    .EnsureSuccess("confluent-kafka consume failed");
                return ParseJsonLines(ck, headersAsPairs: true);
            case KafkaJs:
                string modules = Path.Combine(RepoPaths.NodeScripts, "node_modules");
                string script = Path.Combine(AppContext.BaseDirectory, "interop", "kafkajs-consume.js");
                ProcessResult kj = (await NodeClients.RunAsync(script, [modules, silo.BootstrapServers, topic, "kj-" + topic, count.ToString(CultureInfo.InvariantCulture)]))
                    .EnsureSuccess("kafkajs consume failed");
                return ParseJsonLines(kj, headersAsPairs: false);
            default:
                throw new ArgumentOutOfRangeException(nameof(client), client, "unknown client");
        }
    }

    /// <summary>
    /// One JSON object per record: offset, key, value, timestamp (numbers, or strings as kafkajs prints its longs) and
    /// headers, as [[name, value], ...] from the Python drivers or {name: value} from kafkajs.
    /// </summary>
    private static List<ConsumedRecord> ParseJsonLines(ProcessResult result, bool headersAsPairs)
    {
        var records = new List<ConsumedRecord>();
        foreach (string line in result.StdoutLines.Where(l => l.StartsWith('{')))
        {
            using var doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            JsonElement headers = root.GetProperty("headers");
            List<(string, string)> pairs = headersAsPairs
                ? [.. headers.EnumerateArray().Select(h => (h[0].GetString()!, h[1].GetString() ?? string.Empty))]
                : [.. headers.EnumerateObject().Select(h => (h.Name, h.Value.GetString() ?? string.Empty))];
            records.Add(new ConsumedRecord(Long(root.GetProperty("offset")), root.GetProperty("key").GetString(),
                root.GetProperty("value").GetString() ?? string.Empty, pairs, Long(root.GetProperty("timestamp"))));
        }

        return records;
    }

    private static long Long(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();
}
