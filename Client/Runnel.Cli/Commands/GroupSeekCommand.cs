using System.CommandLine;
using Runnel.Cli.Output;
using Runnel.Cli.Records;
using Runnel.Client;
using Runnel.Client.Admin;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel group seek</c>: sets a group's committed offsets to the earliest or latest offset, an offset, or the first
/// record at or after a time. Only for a group without members: a running member would overwrite the change with its
/// next commit, so the tool refuses rather than pretend.
/// </summary>
internal static class GroupSeekCommand
{
    public static Command Create()
    {
        Argument<string> id = GroupCommands.IdArgument();
        var topic = new Option<string?>("--topic", "-t") { Description = "The topic to seek in (default: every topic the group has committed offsets for)" };
        Option<int[]> partitions = CliOptions.Ints("--partition", "A partition to seek, repeatable (default: all of the topic)", 0);
        Option<OffsetSpec> to = CliOptions.Offset("--to", $"Where to: {OffsetSpec.Expected}", OffsetSpec.Earliest).Required();
        var command = new Command("seek", "Moves a group's committed offsets (only while the group has no members)") { id, topic, partitions, to };
        return command.WithAction(async (context, parsed) =>
        {
            string groupId = parsed.GetValue(id)!;
            int[] chosen = parsed.GetValue(partitions)!;
            string? topicName = parsed.GetValue(topic);
            if (chosen.Length > 0 && topicName is null)
            {
                throw CliException.Usage("--partition needs --topic.");
            }

            await using KafkaAdminClient admin = context.Admin();
            GroupDescription group = await admin.DescribeGroupAsync(groupId, context.CancellationToken).ConfigureAwait(false);
            if (group.Members.Count > 0)
            {
                throw new CliException(ExitCodes.KafkaError, "NON_EMPTY_GROUP",
                    $"Group '{groupId}' has {group.Members.Count} member(s) ({group.State}); its offsets were not changed.",
                    "stop the group's consumers first ('runnel group describe' lists them)");
            }

            List<TopicPartition> targets = await TargetsAsync(admin, groupId, topicName, chosen, context.CancellationToken).ConfigureAwait(false);
            Dictionary<TopicPartition, long> offsets = await ResolveAsync(admin, targets, parsed.GetValue(to), context.CancellationToken).ConfigureAwait(false);
            await admin.AlterGroupOffsetsAsync(groupId, offsets.Select(o => new TopicPartitionOffset(o.Key, o.Value)), context.CancellationToken).ConfigureAwait(false);
            var rows = offsets.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition)
                .Select(o => new { topic = o.Key.Topic, partition = o.Key.Partition, offset = o.Value }).ToList();
            if (context.Json)
            {
                Printer.Json(new { groupId, offsets = rows });
                return;
            }

            Printer.Table($"{groupId}: committed offsets now", ["topic", "partition", "offset"], rows.Select(r => (IReadOnlyList<object?>)[r.topic, r.partition, r.offset]));
        });
    }

    private static async Task<List<TopicPartition>> TargetsAsync(KafkaAdminClient admin, string groupId, string? topic, int[] partitions, CancellationToken cancellationToken)
    {
        if (topic is null)
        {
            IReadOnlyDictionary<TopicPartition, long> committed = await admin.ListGroupOffsetsAsync(groupId, cancellationToken).ConfigureAwait(false);
            return committed.Count > 0
                ? [.. committed.Keys]
                : throw new CliException(ExitCodes.KafkaError, "GROUP_ID_NOT_FOUND", $"Group '{groupId}' has no committed offsets to move.", "name the topic with --topic");
        }

        TopicDescription description = (await admin.DescribeTopicsAsync([topic], cancellationToken).ConfigureAwait(false))[0];
        foreach (int partition in partitions.Where(p => p >= description.Partitions.Count))
        {
            throw new Client.KafkaException(Protocol.ErrorCode.UnknownTopicOrPartition, $"{topic}[{partition}] does not exist: the topic has {description.Partitions.Count} partitions.");
        }

        return partitions.Length > 0
            ? [.. partitions.Distinct().Select(p => new TopicPartition(topic, p))]
            : [.. description.Partitions.Select(p => new TopicPartition(topic, p.Partition))];
    }

    /// <summary>Concrete offsets; an exact offset outside a partition's records is refused before anything changes.</summary>
    private static async Task<Dictionary<TopicPartition, long>> ResolveAsync(KafkaAdminClient admin, List<TopicPartition> targets, OffsetSpec spec, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<TopicPartition, long> ends = await admin.ListOffsetsAsync(targets, Offsets.End, cancellationToken).ConfigureAwait(false);
        if (spec.Kind == OffsetSpecKind.Offset)
        {
            IReadOnlyDictionary<TopicPartition, long> starts = await admin.ListOffsetsAsync(targets, Offsets.Beginning, cancellationToken).ConfigureAwait(false);
            foreach (TopicPartition partition in targets.Where(p => spec.Value < starts[p] || spec.Value > ends[p]))
            {
                throw new Client.KafkaException(Protocol.ErrorCode.OffsetOutOfRange,
                    $"Offset {spec.Value} is outside {partition}, which holds offsets {starts[partition]} to {ends[partition]} (its end); no offset was changed.");
            }

            return targets.ToDictionary(p => p, _ => spec.Value);
        }

        IReadOnlyDictionary<TopicPartition, long> found = await admin.ListOffsetsAsync(targets, spec.ListOffsetsSpec, cancellationToken).ConfigureAwait(false);

        // No record at or after the time: the end, so the group reads only what comes next.
        return targets.ToDictionary(p => p, p => found.TryGetValue(p, out long offset) && offset >= 0 ? offset : ends[p]);
    }
}
