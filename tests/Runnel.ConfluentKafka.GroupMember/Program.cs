using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;

// A Confluent.Kafka 2.16 (librdkafka 2.16) consumer-group member for the failover tests, with the same output as the
// other clients' drivers:
//   Runnel.ConfluentKafka.GroupMember --bootstrap H:P --topic T --group G --client-id C [--session-timeout-ms 6000]
//                                     [--instance-id I] [--max-seconds 600]
// prints {"p":partition,"o":offset,"v":value} per record and {"event":"assigned"|"revoked","partitions":[...]} on
// rebalances, and commits synchronously after every batch of records (up to 50), as the python confluent-kafka
// driver does. Runs until killed, or exits after --max-seconds so a member whose test died cannot linger.
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"expected --name value pairs, got '{args[i]}'");
        return 2;
    }

    options[args[i][2..]] = args[i + 1];
}

string Required(string name)
{
    if (options.TryGetValue(name, out string? value))
    {
        return value;
    }

    Console.Error.WriteLine($"--{name} is required");
    Environment.Exit(2);
    return string.Empty;
}

int IntOption(string name, int fallback)
{
    if (!options.TryGetValue(name, out string? text))
    {
        return fallback;
    }

    if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0)
    {
        return value;
    }

    Console.Error.WriteLine($"--{name} must be a positive integer, got '{text}'");
    Environment.Exit(2);
    return fallback;
}

string topic = Required("topic");
var config = new ConsumerConfig
{
    BootstrapServers = Required("bootstrap"),
    GroupId = Required("group"),
    ClientId = Required("client-id"),
    SessionTimeoutMs = IntOption("session-timeout-ms", 6000),
    HeartbeatIntervalMs = 1000,
    AutoOffsetReset = AutoOffsetReset.Earliest,
    // Commits are explicit, after the records are printed: what was printed is what the group may skip next time.
    EnableAutoCommit = false,
    GroupInstanceId = options.GetValueOrDefault("instance-id"),
};
TimeSpan maxRuntime = TimeSpan.FromSeconds(IntOption("max-seconds", 600));

void Emit(object value) => Console.WriteLine(JsonSerializer.Serialize(value));

static List<int> Sorted(IEnumerable<int> partitions)
{
    var list = partitions.ToList();
    list.Sort();
    return list;
}

using IConsumer<Ignore, string> consumer = new ConsumerBuilder<Ignore, string>(config)
    .SetPartitionsAssignedHandler((_, partitions) => Emit(new { @event = "assigned", partitions = Sorted(partitions.Where(p => p.Topic == topic).Select(p => p.Partition.Value)) }))
    .SetPartitionsRevokedHandler((_, partitions) => Emit(new { @event = "revoked", partitions = Sorted(partitions.Where(p => p.Topic == topic).Select(p => p.Partition.Value)) }))
    .SetErrorHandler((_, error) => Console.Error.WriteLine($"error: {error}"))
    .Build();
consumer.Subscribe(topic);

var runtime = System.Diagnostics.Stopwatch.StartNew();
while (runtime.Elapsed < maxRuntime)
{
    int consumed = 0;
    for (ConsumeResult<Ignore, string>? record = consumer.Consume(TimeSpan.FromMilliseconds(200));
         record is not null;
         record = consumed < 50 ? consumer.Consume(TimeSpan.Zero) : null)
    {
        Emit(new { p = record.Partition.Value, o = record.Offset.Value, v = record.Message.Value });
        consumed++;
    }

    if (consumed == 0)
    {
        continue;
    }

    try
    {
        consumer.Commit();
    }
    catch (KafkaException ex)
    {
        // A commit refused during a rebalance is retried with the next batch.
        Emit(new { @event = "commit-failed", error = ex.Error.ToString() });
    }
}

Console.Error.WriteLine($"exiting after --max-seconds {maxRuntime.TotalSeconds}");
consumer.Close();
return 0;
