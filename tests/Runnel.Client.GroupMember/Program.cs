using System.CommandLine;
using System.Text.Json;
using Runnel.Client;
using Runnel.Client.Consumer;
using Runnel.Tools.CommandLine;

// A consumer-group member for the failover tests, with the same output as the other clients' drivers:
//   Runnel.Client.GroupMember --bootstrap H:P --topic T --group G --client-id C [--session-timeout-ms 6000]
// prints {"p":partition,"o":offset,"v":value} per record and {"event":"assigned","partitions":[...]} after each
// assignment; offsets are auto-committed every 500 ms. Runs until killed.
var commandLine = new GroupMemberCommandLine();
RootCommand command = commandLine.Create("A Runnel.Client consumer-group member for the group failover tests; runs until killed.");
command.SetAction((parsed, _) => RunAsync(commandLine.Read(parsed)));
return await ToolCommandLine.InvokeAsync(command, args);

static async Task<int> RunAsync(GroupMemberSettings settings)
{
    string topic = settings.Topic;
    await using var consumer = new KafkaConsumer<string?, string>(new ConsumerOptions
    {
        BootstrapServers = settings.Bootstrap,
        ClientId = settings.ClientId,
        GroupId = settings.Group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        AutoCommitInterval = TimeSpan.FromMilliseconds(500),
        SessionTimeout = TimeSpan.FromMilliseconds(settings.SessionTimeoutMs),
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

    return 0;
}
