using System.CommandLine;
using Runnel.Cli.Output;
using Runnel.Cli.Records;
using Runnel.Client;
using Runnel.Client.Admin;
using Runnel.Client.Consumer;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel consume</c>: records of a topic as text (a --format template) or JSON lines. Without --follow it stops
/// at the end offsets the partitions had when it reached them; with --group it commits what it printed.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Create()
    {
        Argument<string> topic = TopicCommands.NameArgument();
        var group = new Option<string?>("--group", "-g") { Description = "Consume as a member of this group (committed offsets; --from applies where none)" };
        Option<int[]> partitions = CliOptions.Ints("--partition", "A partition to read, repeatable (default: all; not with --group)", 0);
        partitions.Aliases.Add("-p");
        Option<OffsetSpec> from = CliOptions.Offset("--from", $"Where to start: {OffsetSpec.Expected} (with --group: earliest or latest)", OffsetSpec.Earliest);
        var format = new Option<string>("--format", "-F") { Description = $"Output template per record: {RecordFormat.Placeholders}; \\n, \\t", DefaultValueFactory = _ => RecordFormat.Default };
        Option<long> num = CliOptions.Long("--num", "Stop after this many records (0: no limit)", 0, 0);
        num.Aliases.Add("-n");
        var follow = new Option<bool>("--follow") { Description = "Keep waiting for new records (until --num or Ctrl+C)" };
        var command = new Command("consume", "Reads records and prints them") { topic, group, partitions, from, format, num, follow };
        return command.WithAction(async (context, parsed) =>
        {
            var request = new ConsumeRequest(parsed.GetValue(topic)!, parsed.GetValue(group), parsed.GetValue(partitions)!, parsed.GetValue(from),
                RecordFormat.Parse(parsed.GetValue(format)!), parsed.GetValue(num), parsed.GetValue(follow));
            if (request.Group is not null && (request.Partitions.Length > 0 || request.From.Kind is OffsetSpecKind.Offset or OffsetSpecKind.Time))
            {
                throw CliException.Usage("--group takes its partitions from the group and starts at its committed offsets: leave out --partition, and give --from earliest or latest.");
            }

            await RunAsync(context, request).ConfigureAwait(false);
        });
    }

    private static async Task RunAsync(CliContext context, ConsumeRequest request)
    {
        ConsumerOptions options = context.ConsumerOptions();
        options.GroupId = request.Group;
        options.AutoOffsetReset = request.From.Kind == OffsetSpecKind.Latest ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest;
        options.EnableAutoCommit = false;
        options.FetchMaxWait = TimeSpan.FromMilliseconds(200);
        await using KafkaAdminClient admin = context.Admin();
        await using var consumer = new KafkaConsumer<byte[]?, byte[]?>(options);
        if (request.Group is null)
        {
            consumer.Assign(await StartPositionsAsync(admin, request, context.CancellationToken).ConfigureAwait(false));
        }
        else
        {
            // A group subscribed to a missing topic would wait for an assignment that never comes: say so instead.
            await admin.DescribeTopicsAsync([request.Topic], context.CancellationToken).ConfigureAwait(false);
            consumer.Subscribe([request.Topic]);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var ends = new EndWatch(admin, consumer, context.Timeout);
        Task watch = request.Follow ? Task.CompletedTask : ends.CancelAtEndAsync(stop);
        long printed = 0;
        try
        {
            await foreach (ConsumeResult<byte[]?, byte[]?> record in consumer.ConsumeAsync(stop.Token).ConfigureAwait(false))
            {
                Print(context, request.Format, record);
                if (request.Limit > 0 && ++printed >= request.Limit)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The end was reached (or Ctrl+C): what was printed is committed below.
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }

        if (request.Group is not null)
        {
            using var commitTime = new CancellationTokenSource(context.Timeout);
            await consumer.CommitAsync(commitTime.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Concrete start offsets; an exact offset outside a partition's records is an error, not a silent reset.</summary>
    private static async Task<List<TopicPartitionOffset>> StartPositionsAsync(KafkaAdminClient admin, ConsumeRequest request, CancellationToken cancellationToken)
    {
        TopicDescription topic = (await admin.DescribeTopicsAsync([request.Topic], cancellationToken).ConfigureAwait(false))[0];
        foreach (int missing in request.Partitions.Where(p => p >= topic.Partitions.Count))
        {
            throw new KafkaException(Protocol.ErrorCode.UnknownTopicOrPartition, $"{request.Topic}[{missing}] does not exist: the topic has {topic.Partitions.Count} partitions.");
        }

        List<TopicPartition> partitions = request.Partitions.Length > 0
            ? [.. request.Partitions.Distinct().Select(p => new TopicPartition(request.Topic, p))]
            : [.. topic.Partitions.Select(p => new TopicPartition(request.Topic, p.Partition))];
        OffsetSpec from = request.From;
        if (from.Kind != OffsetSpecKind.Offset)
        {
            IReadOnlyDictionary<TopicPartition, long> found = await admin.ListOffsetsAsync(partitions, from.ListOffsetsSpec, cancellationToken).ConfigureAwait(false);
            IReadOnlyDictionary<TopicPartition, long> ends = await admin.ListOffsetsAsync(partitions, Offsets.End, cancellationToken).ConfigureAwait(false);
            return [.. partitions.Select(p => new TopicPartitionOffset(p, found.TryGetValue(p, out long o) && o >= 0 ? o : ends[p]))];
        }

        IReadOnlyDictionary<TopicPartition, long> starts = await admin.ListOffsetsAsync(partitions, Offsets.Beginning, cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<TopicPartition, long> highs = await admin.ListOffsetsAsync(partitions, Offsets.End, cancellationToken).ConfigureAwait(false);
        foreach (TopicPartition p in partitions.Where(p => from.Value < starts[p] || from.Value > highs[p]))
        {
            throw new KafkaException(Protocol.ErrorCode.OffsetOutOfRange, $"Offset {from.Value} is outside {p}, which holds offsets {starts[p]} to {highs[p]} (its end).");
        }

        return [.. partitions.Select(p => new TopicPartitionOffset(p, from.Value))];
    }

    private static void Print(CliContext context, RecordFormat format, ConsumeResult<byte[]?, byte[]?> record)
    {
        if (!context.Json)
        {
            Console.Out.WriteLine(format.Render(record));
            return;
        }

        Printer.Json(new
        {
            topic = record.Topic,
            partition = record.Partition,
            offset = record.Offset,
            timestamp = record.Timestamp,
            key = HeaderText.Text(record.Key),
            value = HeaderText.Text(record.Value),
            headers = record.Headers.Select(h => new { key = h.Key, value = h.ValueAsString() }),
        });
    }

    private sealed record ConsumeRequest(string Topic, string? Group, int[] Partitions, OffsetSpec From, RecordFormat Format, long Limit, bool Follow);
}
