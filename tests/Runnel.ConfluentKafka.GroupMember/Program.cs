using System.CommandLine;
using System.Text.Json;
using Confluent.Kafka;
using Runnel.Tools.CommandLine;

// A Confluent.Kafka 2.16 (librdkafka 2.16) consumer-group member for the failover tests, with the same output as the
// other clients' drivers:
//   Runnel.ConfluentKafka.GroupMember --bootstrap H:P --topic T --group G --client-id C [--session-timeout-ms 6000]
//                                     [--instance-id I] [--max-seconds 600]
// prints {"p":partition,"o":offset,"v":value} per record and {"event":"assigned"|"revoked","partitions":[...]} on
// rebalances, and commits synchronously after every batch of records (up to 50), as the python confluent-kafka
// driver does. Runs until killed, or exits after --max-seconds so a member whose test died cannot linger.
var commandLine = new GroupMemberCommandLine();
Option<string> instanceId = ToolOption.Text("--instance-id", "group.instance.id: a static member (default none)");
Option<int> maxSeconds = ToolOption.Int("--max-seconds", "exit after this many seconds", 600, 1);
RootCommand command = commandLine.Create("A Confluent.Kafka consumer-group member for the group failover tests; runs until killed or --max-seconds.");
command.Options.Add(instanceId);
command.Options.Add(maxSeconds);
command.SetAction(parsed => Run(commandLine.Read(parsed), parsed.GetValue(instanceId), TimeSpan.FromSeconds(parsed.GetValue(maxSeconds))));
return await ToolCommandLine.InvokeAsync(command, args);

static int Run(GroupMemberSettings settings, string? instanceId, TimeSpan maxRuntime)
{
    string topic = settings.Topic;
    var config = new ConsumerConfig
    {
        BootstrapServers = settings.Bootstrap,
        GroupId = settings.Group,
        ClientId = settings.ClientId,
        SessionTimeoutMs = settings.SessionTimeoutMs,
        HeartbeatIntervalMs = 1000,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        // Commits are explicit, after the records are printed: what was printed is what the group may skip next time.
        EnableAutoCommit = false,
        GroupInstanceId = instanceId,
    };

    static void Emit(object value) => Console.WriteLine(JsonSerializer.Serialize(value));

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
}
