using System.CommandLine;
using System.Diagnostics;
using Runnel.Cli.Commands;
using Runnel.Client;
using Runnel.Client.Admin;
using Runnel.Client.Consumer;
using Runnel.Client.Producer;

namespace Runnel.Cli.Perf;

/// <summary><c>runnel perf produce|consume</c>: load through Runnel.Client with a live display and runnel-perf's figures.</summary>
internal static class PerfCommands
{
    public static Command Create()
    {
        var perf = new Command("perf", "Throughput and latency: produce or consume a number of records and report records/s, MB/s and latency percentiles");
        perf.Subcommands.Add(Produce());
        perf.Subcommands.Add(Consume());
        return perf;
    }

    private static Command Produce()
    {
        Argument<string> topic = TopicCommands.NameArgument();
        Option<long> count = CliOptions.Long("--num-records", "Records to produce", 100_000, 1);
        Option<int> size = CliOptions.Int("--record-size", "Bytes of each record's value", 100, 1, 16 * 1024 * 1024);
        Option<long> throughput = CliOptions.Long("--throughput", "Records per second at most (-1: as fast as possible)", -1, -1);
        Option<string> acks = CliOptions.Choice("--acks", "Acknowledgement: all, 1 or 0", "all", "all", "-1", "1", "0");
        Option<string> compression = CliOptions.Choice("--compression", "Batch compression", "none", "none", "gzip", "snappy", "lz4", "zstd");
        Option<int> linger = CliOptions.Int("--linger-ms", "How long a batch waits for more records", 5, 0, 60_000);
        Option<int> batch = CliOptions.Int("--batch-size", "Bytes per partition batch (runnel-perf's and the client benchmark's 1000000 by default)", 1_000_000, 1024, 16 * 1024 * 1024);
        var command = new Command("produce", "Produces --num-records records of --record-size bytes; reports ack latency") { topic, count, size, throughput, acks, compression, linger, batch };
        return command.WithAction(async (context, parsed) =>
        {
            ProducerOptions options = context.ProducerOptions();
            options.Acks = parsed.GetValue(acks) switch { "1" => Acks.Leader, "0" => Acks.None, _ => Acks.All };
            options.EnableIdempotence = options.Acks == Acks.All;
            options.Compression = Enum.Parse<CompressionType>(parsed.GetValue(compression)!, ignoreCase: true);
            options.Linger = TimeSpan.FromMilliseconds(parsed.GetValue(linger));
            options.BatchSize = parsed.GetValue(batch);
            options.MaxRequestSize = Math.Max(options.MaxRequestSize, options.BatchSize + 1024);
            var load = new ProduceLoad(parsed.GetValue(topic)!, parsed.GetValue(count), parsed.GetValue(size), parsed.GetValue(throughput));
            await using var producer = new KafkaProducer<byte[]?, byte[]?>(options);
            long started = Stopwatch.GetTimestamp();
            Task work = load.RunAsync(producer, context.CancellationToken);
            await LiveProgress.RunAsync("produce", load.Count, () => load.Acknowledged, () => load.Acknowledged * load.Size, work).ConfigureAwait(false);
            new PerfResult("produce", load.Acknowledged, load.Acknowledged * load.Size, Stopwatch.GetElapsedTime(started).TotalSeconds, load.Latency).Print(context.Json);
        });
    }

    private static Command Consume()
    {
        Argument<string> topic = TopicCommands.NameArgument();
        Option<long> count = CliOptions.Long("--num-records", "Records to consume (0: every record there is when the run starts)", 0, 0);
        var command = new Command("consume", "Consumes a topic from its start; reports records/s and MB/s") { topic, count };
        return command.WithAction(async (context, parsed) =>
        {
            string name = parsed.GetValue(topic)!;
            long limit = parsed.GetValue(count);
            await using KafkaAdminClient admin = context.Admin();
            TopicDescription description = (await admin.DescribeTopicsAsync([name], context.CancellationToken).ConfigureAwait(false))[0];
            List<TopicPartition> partitions = [.. description.Partitions.Select(p => new TopicPartition(name, p.Partition))];
            IReadOnlyDictionary<TopicPartition, long> starts = await admin.ListOffsetsAsync(partitions, Offsets.Beginning, context.CancellationToken).ConfigureAwait(false);
            IReadOnlyDictionary<TopicPartition, long> ends = await admin.ListOffsetsAsync(partitions, Offsets.End, context.CancellationToken).ConfigureAwait(false);
            long available = partitions.Sum(p => ends[p] - starts[p]);
            long target = limit > 0 ? limit : available;
            ConsumerOptions options = context.ConsumerOptions();
            await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(options);
            consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, starts[p])));
            long records = 0;
            long bytes = 0;
            long started = Stopwatch.GetTimestamp();
            async Task ConsumeAsync()
            {
                if (target == 0)
                {
                    return;
                }

                await foreach (ConsumeResult<byte[]?, byte[]?> record in consumer.ConsumeAsync(context.CancellationToken).ConfigureAwait(false))
                {
                    Interlocked.Add(ref bytes, (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0));
                    if (Interlocked.Increment(ref records) >= target)
                    {
                        break;
                    }
                }
            }

            await LiveProgress.RunAsync("consume", target, () => Volatile.Read(ref records), () => Volatile.Read(ref bytes), ConsumeAsync()).ConfigureAwait(false);
            new PerfResult("consume", records, bytes, Stopwatch.GetElapsedTime(started).TotalSeconds, null).Print(context.Json);
        });
    }
}
