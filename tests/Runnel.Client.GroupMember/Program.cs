using System.Globalization;
using System.Text.Json;
using Runnel.Client;
using Runnel.Client.Consumer;

// A consumer-group member for the failover tests, with the same output as the other clients' drivers:
//   Runnel.Client.GroupMember --bootstrap H:P --topic T --group G --client-id C [--session-timeout-ms 6000]
// prints {"p":partition,"o":offset,"v":value} per record and {"event":"assigned","partitions":[...]} after each
// assignment; offsets are auto-committed every 500 ms. Runs until killed.
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

string Required(string name) => options.TryGetValue(name, out string? value) ? value : throw new ArgumentException($"--{name} is required");
string topic = Required("topic");
int sessionMs = int.Parse(options.GetValueOrDefault("session-timeout-ms", "6000"), CultureInfo.InvariantCulture);

await using var consumer = new KafkaConsumer<string?, string>(new ConsumerOptions
{
    BootstrapServers = Required("bootstrap"),
    ClientId = Required("client-id"),
    GroupId = Required("group"),
    AutoOffsetReset = AutoOffsetReset.Earliest,
    AutoCommitInterval = TimeSpan.FromMilliseconds(500),
    SessionTimeout = TimeSpan.FromMilliseconds(sessionMs),
    HeartbeatInterval = TimeSpan.FromSeconds(1),
    RebalanceTimeout = TimeSpan.FromSeconds(20),
});

consumer.PartitionsAssigned += _ =>
{
    var partitions = new List<int>();
    foreach (TopicPartition assigned in consumer.Assignment)
    {
        if (assigned.Topic == topic)
        {
            partitions.Add(assigned.Partition);
        }
    }

    partitions.Sort();
    Console.WriteLine(JsonSerializer.Serialize(new { @event = "assigned", partitions }));
};

consumer.Subscribe([topic]);
await foreach (ConsumeResult<string?, string> record in consumer.ConsumeAsync())
{
    Console.WriteLine(JsonSerializer.Serialize(new { p = record.Partition, o = record.Offset, v = record.Value }));
}
