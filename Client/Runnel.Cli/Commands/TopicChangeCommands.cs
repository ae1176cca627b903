using System.CommandLine;
using System.Globalization;
using Runnel.Cli.Output;
using Runnel.Client;
using Runnel.Client.Admin;

namespace Runnel.Cli.Commands;

/// <summary><c>runnel topic alter-config|add-partitions|trim</c>: changes to an existing topic.</summary>
internal static class TopicChangeCommands
{
    public static Command AlterConfig()
    {
        Argument<string> name = TopicCommands.NameArgument();
        Option<List<KeyValuePair<string, string>>> set = CliOptions.KeyValues("--set", "A config to set, repeatable: --set retention.ms=3600000");
        var delete = new Option<string[]>("--delete") { Description = "A config to reset to its default, repeatable", HelpName = "config", DefaultValueFactory = _ => [] };
        var command = new Command("alter-config", "Sets configs of a topic, or resets them to their defaults (IncrementalAlterConfigs)") { name, set, delete };
        return command.WithAction(async (context, parsed) =>
        {
            List<ConfigChange> changes =
            [
                .. parsed.GetValue(set)!.Select(c => new ConfigChange(c.Key, c.Value)),
                .. parsed.GetValue(delete)!.Select(c => new ConfigChange(c, null, AlterConfigOperation.Delete)),
            ];
            if (changes.Count == 0)
            {
                throw CliException.Usage("alter-config needs at least one --set key=value or --delete key.");
            }

            await using KafkaAdminClient admin = context.Admin();
            await admin.IncrementalAlterTopicConfigsAsync(parsed.GetValue(name)!, changes, context.CancellationToken).ConfigureAwait(false);
            TopicCommands.Done(context, "altered", [parsed.GetValue(name)!]);
        });
    }

    public static Command AddPartitions()
    {
        Argument<string> name = TopicCommands.NameArgument();
        Option<int> total = CliOptions.Int("--total", "The topic's partition count afterwards (more than it has now)", 0, 1, 100_000).Required();
        var command = new Command("add-partitions", "Grows a topic to --total partitions") { name, total };
        return command.WithAction(async (context, parsed) =>
        {
            await using KafkaAdminClient admin = context.Admin();
            await admin.CreatePartitionsAsync(parsed.GetValue(name)!, parsed.GetValue(total), context.CancellationToken).ConfigureAwait(false);
            TopicCommands.Done(context, "grown", [parsed.GetValue(name)!]);
        });
    }

    /// <summary>DeleteRecords: every record before an offset goes; the broker refuses an offset past the end and deletes nothing.</summary>
    public static Command Trim()
    {
        Argument<string> name = TopicCommands.NameArgument();
        var before = new Option<string[]>("--before")
        {
            Description = "Delete records before this offset: N (every partition), P=N (partition P, repeatable); N may be 'latest' (everything)",
            HelpName = "[partition=]offset",
            Required = true,
        };
        var command = new Command("trim", "Deletes the records before an offset, per partition (DeleteRecords)") { name, before };
        return command.WithAction(async (context, parsed) =>
        {
            string topic = parsed.GetValue(name)!;
            string[] specs = parsed.GetValue(before)!;
            await using KafkaAdminClient admin = context.Admin();
            TopicDescription description = (await admin.DescribeTopicsAsync([topic], context.CancellationToken).ConfigureAwait(false))[0];
            Dictionary<TopicPartition, long> offsets = Resolve(topic, description.Partitions.Count, specs);

            // The broker trims each partition on its own, so one bad offset would leave the others trimmed: check all first.
            IReadOnlyDictionary<TopicPartition, long> ends = await admin.ListOffsetsAsync(offsets.Keys, Offsets.End, context.CancellationToken).ConfigureAwait(false);
            foreach (var (partition, offset) in offsets.Where(o => o.Value > ends[o.Key]))
            {
                throw new KafkaException(Protocol.ErrorCode.OffsetOutOfRange, $"Offset {offset} is past the end of {partition} ({ends[partition]}); no partition was trimmed.");
            }

            IReadOnlyDictionary<TopicPartition, long> lows = await admin.DeleteRecordsAsync(offsets, context.CancellationToken).ConfigureAwait(false);
            var rows = lows.OrderBy(l => l.Key.Partition).Select(l => new { partition = l.Key.Partition, startOffset = l.Value }).ToList();
            if (context.Json)
            {
                Printer.Json(new { topic, partitions = rows });
                return;
            }

            Printer.Table($"{topic}: new start offsets", ["partition", "start offset"], rows.Select(r => (IReadOnlyList<object?>)[r.partition, r.startOffset]));
        });
    }

    private static Dictionary<TopicPartition, long> Resolve(string topic, int partitionCount, string[] specs)
    {
        var offsets = new Dictionary<TopicPartition, long>();
        foreach (string spec in specs)
        {
            int equals = spec.IndexOf('=', StringComparison.Ordinal);
            string offsetText = equals < 0 ? spec : spec[(equals + 1)..];
            long offset = offsetText.Trim().ToLowerInvariant() is "latest" or "end" ? Offsets.End
                : long.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n
                : throw CliException.Usage($"--before takes [partition=]offset with an offset of 0 or more or 'latest', not '{spec}'.");
            if (equals < 0)
            {
                for (int p = 0; p < partitionCount; p++)
                {
                    offsets[new TopicPartition(topic, p)] = offset;
                }

                continue;
            }

            if (!int.TryParse(spec.AsSpan(0, equals), NumberStyles.None, CultureInfo.InvariantCulture, out int partition))
            {
                throw CliException.Usage($"--before takes [partition=]offset with a partition number, not '{spec}'.");
            }

            if (partition >= partitionCount)
            {
                throw new KafkaException(Protocol.ErrorCode.UnknownTopicOrPartition, $"{topic}[{partition}] does not exist: the topic has {partitionCount} partitions.");
            }

            offsets[new TopicPartition(topic, partition)] = offset;
        }

        return offsets;
    }
}
